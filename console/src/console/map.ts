import L from 'leaflet';

import { formatMmSs } from '../shared/format.ts';
import { formatLatLon } from '../shared/geo.ts';
import { phaseName, statusName, t } from '../shared/i18n.ts';
import type {
  Basemap,
  CityInfo,
  EtaUpdate,
  IncidentView,
  LatLon,
  Place,
  UnitView,
} from '../shared/types.ts';
import { headingShown } from './heading.ts';
import { headingMarker, type HeadingMarker } from './heading-marker.ts';
import { roadStyle, unitMarkerStyle } from './styles.ts';

/** Credit for maps drawn from the bundled extract. */
export const OSM_ATTRIBUTION = '© OpenStreetMap contributors';

const toLatLng = (point: LatLon): L.LatLngTuple => [point.lat, point.lon];

/**
 * The dispatcher's map: the city's roads (or its tiles), stations,
 * hospitals, units by status and open incidents. Markers are circles and
 * small div icons, so no marker images need bundling.
 */
export class DispatchMap {
  readonly map: L.Map;
  readonly #units = new Map<number, HeadingMarker>();
  /** Live drive time of each assigned unit (`unit:eta`). */
  readonly #etas = new Map<number, EtaUpdate>();
  /** Units drawn with a heading arrow (counted on the map's element). */
  readonly #headed = new Set<number>();
  readonly #routeRenderer: L.Canvas;
  #route: L.Polyline | null = null;
  readonly #incidents = new Map<number, L.Marker>();
  #intakePoint: L.CircleMarker | null = null;
  // Coverage sits over the roads and under every marker: its own pane
  // and canvas between the basemap (overlay pane, 400) and the units.
  readonly #coverageRenderer: L.Canvas;
  readonly #unitRenderer: L.Canvas;
  readonly #coverage: L.LayerGroup;
  #coverageShown = true;

  /** @param container the element the map fills */
  constructor(container: HTMLElement, city: CityInfo) {
    // Canvas: the basemap has tens of thousands of road pieces, far too
    // many SVG nodes.
    this.map = L.map(container, { preferCanvas: true, zoomControl: true });
    this.map.setView(toLatLng(city.center), 13);
    this.map.createPane('coverage').style.zIndex = '410';
    this.map.createPane('route').style.zIndex = '415';
    // Above the station and hospital icons (marker pane, 600): a unit
    // parked at its station must not hide under the station's icon.
    this.map.createPane('units').style.zIndex = '620';
    this.#routeRenderer = L.canvas({ pane: 'route' });
    this.#coverageRenderer = L.canvas({ pane: 'coverage' });
    this.#unitRenderer = L.canvas({ pane: 'units' });
    this.#coverage = L.layerGroup([], { pane: 'coverage' }).addTo(this.map);
    container.dataset.coverageLines = '0';
    if (city.tileUrl) {
      L.tileLayer(city.tileUrl, {
        attribution: city.tileAttribution ?? '',
        maxZoom: 19,
      }).addTo(this.map);
    }
    for (const station of city.stations) {
      L.marker(toLatLng(station.location), {
        icon: placeIcon('station', 'S'),
        title: station.name,
      })
        .bindTooltip(() => t('map.station', { name: station.name }))
        .addTo(this.map);
    }
    for (const hospital of city.hospitals) {
      L.marker(toLatLng(hospital.location), {
        icon: placeIcon('hospital', 'H'),
        title: hospital.name,
      })
        .bindTooltip(hospital.name)
        .addTo(this.map);
    }
  }

  /** Draws the road network: thicker, darker lines for faster roads. */
  drawBasemap(basemap: Basemap): void {
    const layer = L.geoJSON(basemap, {
      interactive: false,
      // The roads are OpenStreetMap data (ODbL): credit them on the map.
      attribution: OSM_ATTRIBUTION,
      style: (feature) => {
        const style = roadStyle(feature?.properties.speedKph ?? 0);
        return { ...style, opacity: 0.9, lineCap: 'round' };
      },
    });
    layer.addTo(this.map);
    layer.bringToBack();
  }

  /** Calls `handler` with the clicked point. */
  onClick(handler: (point: LatLon) => void): void {
    this.map.on('click', (event: L.LeafletMouseEvent) => {
      handler({ lat: event.latlng.lat, lon: event.latlng.lng });
    });
  }

  /** Marks where the call being taken is; null removes the mark. */
  setIntakePoint(point: LatLon | null): void {
    this.#intakePoint?.remove();
    this.#intakePoint = null;
    if (!point) return;
    this.#intakePoint = L.circleMarker(toLatLng(point), {
      pane: 'units',
      renderer: this.#unitRenderer,
      radius: 9,
      color: '#1565c0',
      weight: 3,
      fillOpacity: 0.2,
      dashArray: '4 3',
    })
      .bindTooltip(() => t('map.newCall', { point: formatLatLon(point) }))
      .addTo(this.map);
  }

  /** Draws or moves a unit; a unit with no position yet sits at its station. */
  showUnit(unit: UnitView): void {
    const where = unit.lastPosition ?? unit.station;
    const style = unitMarkerStyle(unit);
    const options = {
      pane: 'units',
      renderer: this.#unitRenderer,
      color: style.colour,
      fillColor: style.fillColour,
      fillOpacity: style.fillOpacity,
      weight: 2,
      radius: 7,
    };
    const label = () => {
      const eta = this.#etas.get(unit.id);
      return (
        `${unit.callSign} (${unit.capability}) ${statusName(unit.status)}` +
        (unit.stale ? `, ${t('map.stale')}` : '') +
        (eta && eta.etaSeconds !== null && eta.incidentId === unit.incidentId
          ? `, ${t('map.eta', { eta: formatMmSs(eta.etaSeconds), id: eta.incidentId })}`
          : '')
      );
    };
    const fix = unit.lastPosition;
    const heading = headingShown(fix, unit.stale) ? fix!.headingDeg! : null;
    const headedBefore = this.#headed.size;
    if (heading === null) this.#headed.delete(unit.id);
    else this.#headed.add(unit.id);
    if (this.#headed.size !== headedBefore) {
      this.map.getContainer().dataset.unitsWithHeading = String(
        this.#headed.size,
      );
    }
    const marker = this.#units.get(unit.id);
    if (marker) {
      marker.setLatLng(toLatLng(where)).setStyle(options);
      marker.setHeading(heading);
      marker.getTooltip()?.setContent(label);
      return;
    }
    const created = new headingMarker(toLatLng(where), options);
    created.setHeading(heading);
    this.#units.set(unit.id, created.bindTooltip(label).addTo(this.map));
  }

  /** A unit's live drive time to its incident: shown in its tooltip. */
  setEta(update: EtaUpdate): void {
    this.#etas.set(update.unitId, update);
    const tooltip = this.#units.get(update.unitId)?.getTooltip();
    if (tooltip?.isOpen()) tooltip.update();
  }

  /**
   * Draws the route of a recommended or assigned unit (one at a time),
   * over the coverage and under the markers; null removes it.
   * @param geometry GeoJSON LineString, [lon, lat] positions
   */
  showRoute(
    route: {
      geometry: GeoJSON.LineString;
      unitId: number;
      label: () => string;
    } | null,
  ): void {
    this.#route?.remove();
    this.#route = null;
    const container = this.map.getContainer();
    container.dataset.routeUnit = route ? String(route.unitId) : '';
    container.dataset.routePoints = '0';
    if (!route) return;
    const latLngs = route.geometry.coordinates.map(
      ([lon, lat]) => [lat!, lon!] as L.LatLngTuple,
    );
    this.#route = L.polyline(latLngs, {
      pane: 'route',
      renderer: this.#routeRenderer,
      color: '#1565c0',
      weight: 5,
      opacity: 0.85,
      dashArray: '10 6',
      lineCap: 'round',
    })
      .bindTooltip(route.label, { sticky: true })
      .addTo(this.map);
    container.dataset.routePoints = String(latLngs.length);
  }

  /** Shows a searched place: a street's extent, or a crossing up close. */
  focus(place: Place): void {
    if (place.kind === 'street') {
      const [minLon, minLat, maxLon, maxLat] = place.bbox;
      this.map.fitBounds(
        [
          [minLat, minLon],
          [maxLat, maxLon],
        ],
        { maxZoom: 17, padding: [20, 20] },
      );
    } else {
      this.map.setView(toLatLng(place.location), 17);
    }
  }

  /** Replaces all unit markers. */
  showAllUnits(units: Iterable<UnitView>): void {
    for (const marker of this.#units.values()) marker.remove();
    this.#units.clear();
    this.#headed.clear();
    for (const unit of units) this.showUnit(unit);
  }

  /** Draws an open incident, or removes it once closed or cancelled. */
  showIncident(incident: IncidentView, onSelect: (id: number) => void): void {
    const held = this.#incidents.get(incident.id);
    if (!incident.open) {
      held?.remove();
      this.#incidents.delete(incident.id);
      return;
    }
    const label = () =>
      `#${incident.id} P${incident.priority} ${phaseName(incident.phase)}`;
    if (held) {
      held.getTooltip()?.setContent(label);
      return;
    }
    const marker = L.marker(toLatLng(incident.location), {
      icon: incidentIcon(incident.priority),
      title: t('map.incident', { id: incident.id }),
    })
      .bindTooltip(label)
      .on('click', () => onSelect(incident.id))
      .addTo(this.map);
    this.#incidents.set(incident.id, marker);
  }

  /** Replaces all incident markers. */
  showAllIncidents(
    incidents: Iterable<IncidentView>,
    onSelect: (id: number) => void,
  ): void {
    for (const marker of this.#incidents.values()) marker.remove();
    this.#incidents.clear();
    for (const incident of incidents) this.showIncident(incident, onSelect);
  }

  /**
   * Replaces the coverage layer: the road reachable in time, as
   * semi-transparent green lines that take no clicks.
   * @param lines road pieces, each a list of [lon, lat]
   */
  drawCoverage(lines: readonly (readonly number[])[][]): void {
    this.#coverage.clearLayers();
    const latLngs = lines
      .filter((line) => line.length >= 2)
      .map((line) => line.map(([lon, lat]) => [lat!, lon!] as L.LatLngTuple));
    if (latLngs.length > 0) {
      // One multi-line: thousands of pieces, one layer to draw.
      L.polyline(latLngs, {
        pane: 'coverage',
        renderer: this.#coverageRenderer,
        interactive: false,
        color: '#1db954',
        weight: 5,
        opacity: 0.45,
        lineCap: 'round',
      }).addTo(this.#coverage);
    }
    this.map.getContainer().dataset.coverageLines = String(latLngs.length);
  }

  /** Shows or hides the coverage layer (it keeps its lines). */
  showCoverage(shown: boolean): void {
    this.#coverageShown = shown;
    if (shown) this.#coverage.addTo(this.map);
    else this.#coverage.remove();
    // Leaflet keeps an emptied canvas: hide the whole pane too.
    this.map.getPane('coverage')!.style.display = shown ? '' : 'none';
    this.map.getContainer().dataset.coverageShown = String(shown);
  }

  /** Whether the coverage layer is on. */
  get coverageShown(): boolean {
    return this.#coverageShown;
  }

  /** Pans to a point, keeping the zoom. */
  panTo(point: LatLon): void {
    this.map.panTo(toLatLng(point));
  }
}

function placeIcon(kind: 'station' | 'hospital', letter: string): L.DivIcon {
  return L.divIcon({
    className: `place-icon place-${kind}`,
    html: letter,
    iconSize: [18, 18],
  });
}

function incidentIcon(priority: 1 | 2 | 3): L.DivIcon {
  return L.divIcon({
    className: `incident-icon priority-${priority}`,
    html: '!',
    iconSize: [22, 22],
  });
}
