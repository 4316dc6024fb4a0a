import L from 'leaflet';

import { el } from '../shared/dom.ts';
import { formatKm, formatMmSs } from '../shared/format.ts';
import { intlLocale, t } from '../shared/i18n.ts';
import type { KeptAssignment } from './kept-state.ts';

/**
 * An assignment as received, or as kept for a reload with no signal;
 * a kept one has no complaint (undefined, where null is "none given").
 */
export type ShownAssignment = KeptAssignment & {
  incident: { complaint?: string | null };
};

/** The assignment card and its update hook. */
export interface AssignmentView {
  element: HTMLElement;
  show(assignment: ShownAssignment | null): void;
}

/**
 * The current assignment: priority, complaint (when received, not when
 * kept), address, route ETA and a small map with the route and the
 * incident. Road tiles are not drawn: the route line and the incident are enough to read the direction.
 */
export function assignmentView(): AssignmentView {
  const details = el('div', { className: 'assignment-details' });
  const mapElement = el('div', {
    className: 'tablet-map',
    testId: 'tablet-map',
  });
  const element = el(
    'section',
    { className: 'assignment', testId: 'assignment' },
    [details, mapElement],
  );
  let map: L.Map | null = null;
  let layers: L.LayerGroup | null = null;

  return {
    element,
    show(assignment) {
      if (!assignment) {
        element.dataset.state = 'none';
        details.replaceChildren(
          el('p', { className: 'muted', text: () => t('tablet.noAssignment') }),
        );
        mapElement.hidden = true;
        return;
      }
      const { incident, route } = assignment;
      element.dataset.state = 'assigned';
      element.dataset.incidentId = String(incident.id);
      details.replaceChildren(
        el('h2', {
          text: () =>
            t('tablet.incidentTitle', {
              id: incident.id,
              priority: incident.priority,
            }),
        }),
        el('p', {
          className: 'complaint',
          testId: 'assignment-complaint',
          text:
            incident.complaint === undefined
              ? () => t('tablet.complaintNotKept')
              : (incident.complaint ?? (() => t('tablet.noComplaint'))),
        }),
        el('p', {
          className: 'address',
          testId: 'assignment-address',
          text:
            incident.address ??
            `${incident.location.lat.toFixed(5)}, ${incident.location.lon.toFixed(5)}`,
        }),
        el('p', {
          className: 'eta',
          testId: 'assignment-eta',
          text: route
            ? () =>
                t('tablet.eta', {
                  eta: formatMmSs(route.etaSeconds),
                  distance: formatKm(route.distanceMeters, intlLocale()),
                })
            : () => t('tablet.noRoute'),
        }),
      );
      mapElement.hidden = false;
      if (!map) {
        map = L.map(mapElement, { zoomControl: false });
        // The route is drawn from OpenStreetMap data (ODbL).
        map.attributionControl.addAttribution('© OpenStreetMap contributors');
      }
      layers?.remove();
      const target: L.LatLngTuple = [
        incident.location.lat,
        incident.location.lon,
      ];
      const group = L.layerGroup().addTo(map);
      L.circleMarker(target, {
        radius: 9,
        color: '#c62828',
        fillOpacity: 0.8,
      }).addTo(group);
      if (route) {
        const line = L.polyline(
          route.geometry.coordinates.map(
            ([lon, lat]) => [lat!, lon!] as L.LatLngTuple,
          ),
          { color: '#1565c0', weight: 5 },
        ).addTo(group);
        map.fitBounds(line.getBounds().extend(target), { padding: [16, 16] });
      } else {
        map.setView(target, 15);
      }
      layers = group;
      // The container may just have been unhidden: let Leaflet re-measure.
      requestAnimationFrame(() => map?.invalidateSize());
    },
  };
}
