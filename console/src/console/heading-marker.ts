import L from 'leaflet';

import { ARROW_PX, arrowPoints } from './heading.ts';

/** A circle marker that also draws its heading arrow. */
export interface HeadingMarker extends L.CircleMarker {
  /** Degrees clockwise from north; null hides the arrow. */
  setHeading(headingDeg: number | null): this;
}

// Leaflet's canvas internals this extension draws with (Leaflet 1.9).
interface CanvasInternals {
  _point: L.Point;
  _radius: number;
  _pxBounds?: L.Bounds;
  _renderer: { _ctx?: CanvasRenderingContext2D; _drawing?: boolean };
  _empty(): boolean;
  headingDeg: number | null;
}

const circle = L.CircleMarker.prototype as unknown as {
  _updateBounds(this: unknown): void;
  _updatePath(this: unknown): void;
};

/**
 * The unit marker: Leaflet's circle on the units' canvas plus an arrow
 * along the GPS heading, drawn in the same canvas pass, so 200 moving
 * units stay one canvas (DOM markers rotated by CSS would be 200 nodes
 * restyled on every redraw). The redraw bounds grow by the arrow, so a
 * moved arrow leaves no trace.
 */
export const headingMarker = L.CircleMarker.extend({
  headingDeg: null,

  setHeading(
    this: L.CircleMarker & CanvasInternals,
    headingDeg: number | null,
  ) {
    if (this.headingDeg === headingDeg) return this;
    this.headingDeg = headingDeg;
    return this.redraw();
  },

  _updateBounds(this: CanvasInternals) {
    circle._updateBounds.call(this);
    if (this._pxBounds) {
      const pad = L.point(ARROW_PX, ARROW_PX);
      this._pxBounds = L.bounds(
        this._pxBounds.min!.subtract(pad),
        this._pxBounds.max!.add(pad),
      );
    }
  },

  _updatePath(this: L.CircleMarker & CanvasInternals) {
    circle._updatePath.call(this);
    const renderer = this._renderer;
    const ctx = renderer._ctx;
    if (
      this.headingDeg === null ||
      !ctx ||
      !renderer._drawing ||
      this._empty()
    ) {
      return;
    }
    const corners = arrowPoints(
      this._point.x,
      this._point.y,
      this._radius,
      this.headingDeg,
    );
    ctx.beginPath();
    corners.forEach(([x, y], i) => (i ? ctx.lineTo(x, y) : ctx.moveTo(x, y)));
    ctx.closePath();
    ctx.globalAlpha = 1;
    ctx.fillStyle = this.options.color ?? '#333';
    ctx.fill();
  },
}) as unknown as new (
  latlng: L.LatLngExpression,
  options: L.CircleMarkerOptions,
) => HeadingMarker;
