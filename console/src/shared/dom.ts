import { onLanguageChange } from './i18n.ts';

/**
 * Text for the page: a fixed string (server data, numbers), or a function
 * that renders it in the language in use and is run again on a switch.
 */
export type Text = string | (() => string);

/** Attributes and children for {@link el}. */
export interface ElementSpec {
  className?: string;
  testId?: string;
  text?: Text;
  attrs?: Record<string, Text>;
}

// Nodes whose text or attributes follow the language: slot -> repaint.
// Weakly held, so a node that leaves the page is simply forgotten.
const bindings = new WeakMap<Node, Map<string, () => void>>();
const boundNodes = new Set<WeakRef<Node>>();

function bind(node: Node, slot: string, paint: (() => void) | null): void {
  let slots = bindings.get(node);
  if (!paint) {
    slots?.delete(slot);
    return;
  }
  if (!slots) {
    slots = new Map();
    bindings.set(node, slots);
    boundNodes.add(new WeakRef(node));
  }
  slots.set(slot, paint);
  paint();
}

/** Repaints every bound text and attribute (after a language switch). */
export function repaintBound(): void {
  for (const ref of boundNodes) {
    const node = ref.deref();
    if (!node) {
      boundNodes.delete(ref);
      continue;
    }
    for (const paint of bindings.get(node)?.values() ?? []) paint();
  }
}

onLanguageChange(repaintBound);

/** Sets a node's text; a function keeps it in the language in use. */
export function setText(node: Node, text: Text): void {
  if (typeof text === 'string') {
    bind(node, 'text', null);
    node.textContent = text;
    return;
  }
  bind(node, 'text', () => {
    node.textContent = text();
  });
}

/** Sets an attribute; a function keeps it in the language in use. */
export function setAttr(node: Element, name: string, text: Text): void {
  if (typeof text === 'string') {
    bind(node, `@${name}`, null);
    node.setAttribute(name, text);
    return;
  }
  bind(node, `@${name}`, () => node.setAttribute(name, text()));
}

/** A text node; a function keeps it in the language in use. */
export function textNode(text: Text): globalThis.Text {
  const node = document.createTextNode('');
  setText(node, text);
  return node;
}

/**
 * Creates an element with a class, a `data-testid`, text and attributes.
 * Text goes in through `textContent`: server data is never parsed as HTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  children: (Node | Text)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (spec.className) node.className = spec.className;
  if (spec.testId) node.dataset.testid = spec.testId;
  if (spec.text !== undefined) setText(node, spec.text);
  for (const [name, value] of Object.entries(spec.attrs ?? {})) {
    setAttr(node, name, value);
  }
  node.append(
    ...children.map((child) =>
      typeof child === 'function' ? textNode(child) : child,
    ),
  );
  return node;
}

/** The element with `id`; throws when the page lacks it (a build error). */
export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page has no element #${id}`);
  return node as T;
}
