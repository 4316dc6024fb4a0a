/** Attributes and children for {@link el}. */
export interface ElementSpec {
  className?: string;
  testId?: string;
  text?: string;
  attrs?: Record<string, string>;
}

/**
 * Creates an element with a class, a `data-testid`, text and attributes.
 * Text goes in through `textContent`: server data is never parsed as HTML.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  spec: ElementSpec = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (spec.className) node.className = spec.className;
  if (spec.testId) node.dataset.testid = spec.testId;
  if (spec.text !== undefined) node.textContent = spec.text;
  for (const [name, value] of Object.entries(spec.attrs ?? {})) {
    node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/** The element with `id`; throws when the page lacks it (a build error). */
export function byId<T extends HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`page has no element #${id}`);
  return node as T;
}
