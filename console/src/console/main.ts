import 'leaflet/dist/leaflet.css';
import '../styles/console.css';

import { apiRequest } from '../shared/api.ts';
import { logout, SessionStore, type Session } from '../shared/auth.ts';
import { byId, el, setText, type Text } from '../shared/dom.ts';
import { formatClock } from '../shared/format.ts';
import { intlLocale, onLanguageChange, t } from '../shared/i18n.ts';
import { initLanguage, languageSelect } from '../shared/language-select.ts';
import { loginErrorText, loginForm } from '../shared/login-form.ts';
import type {
  Basemap,
  CityInfo,
  IncidentView,
  UnitView,
} from '../shared/types.ts';
import { coverageLayer } from './coverage.ts';
import { intakePanel } from './intake.ts';
import { DispatchMap } from './map.ts';
import { healthIndicator } from './health.ts';
import { incidentQueue } from './queue.ts';
import { recommendationsPanel } from './recommendations.ts';
import { routeLine } from './route-line.ts';
import { connectConsole, type ConnectionState } from './socket.ts';
import { ConsoleStore } from './store.ts';

/** Least milliseconds between two redraws of the unit markers. */
const UNIT_REDRAW_MS = 500;

const sessions = new SessionStore('console');
const app = byId<HTMLDivElement>('app');
initLanguage(() => t('app.console'));

function showLogin(notice: Text = ''): void {
  const form = loginForm({
    title: () => t('app.console'),
    notice,
    allowed: ['dispatcher', 'admin'],
    onLoggedIn: (session) => {
      sessions.save(session);
      void start(session);
    },
  });
  app.replaceChildren(form);
}

async function start(session: Session): Promise<void> {
  const city = await apiRequest<CityInfo>('/api/city', {
    token: session.token,
  }).catch((err: unknown) => {
    sessions.clear();
    showLogin(loginErrorText(err));
    return null;
  });
  if (!city) return;

  const clock = el('span', { className: 'clock', testId: 'clock' });
  const connection = el('span', {
    className: 'connection',
    testId: 'connection-state',
    text: () => t('connection.connecting'),
  });
  const logoutButton = el('button', {
    testId: 'logout',
    text: () => t('logout.named', { user: session.username }),
    attrs: { type: 'button' },
  });
  const mapElement = el('div', { className: 'map', testId: 'map' });
  const side = el('aside', { className: 'side' });
  app.replaceChildren(
    el('header', { className: 'top' }, [
      el('strong', {
        text: () => t('app.consoleHeader', { city: city.name }),
      }),
      clock,
      connection,
      languageSelect(),
      logoutButton,
    ]),
    el('main', { className: 'layout' }, [mapElement, side]),
  );

  const map = new DispatchMap(mapElement, city);
  const coverage = coverageLayer(map, session.token, city.targetSeconds);
  if (!city.tileUrl) {
    apiRequest<Basemap>('/api/basemap', { token: session.token })
      .then((basemap) => map.drawBasemap(basemap))
      .catch((err: unknown) => console.warn('basemap not loaded', err));
  }

  // Ends this session's listeners and timers when it is left.
  const session$ = new AbortController();
  const store = new ConsoleStore();
  const route = routeLine(map, session.token);
  let selected: number | null = null;
  // What the selected incident looked like, to see it lose its unit.
  let selectedNeedsUnit = false;
  let selectedUnits = '';
  let selectedPhase = '';
  const select = (id: number | null) => {
    const changed = id !== selected;
    selected = id;
    const incident = id === null ? null : (store.incidents.get(id) ?? null);
    if (changed) {
      selectedNeedsUnit = incident?.needsUnit ?? false;
      selectedUnits = incident?.unitIds.join() ?? '';
      selectedPhase = incident?.phase ?? '';
      route.clear();
    }
    recommendations.show(incident);
    if (incident) {
      map.panTo(incident.location);
      if (changed) showAssignedRoute(incident.id);
    }
    queue.redraw();
  };
  // An incident with a unit on its way shows that unit's drive; one
  // with no unit shows the chosen recommendation's (see
  // recommendationsPanel); once every unit has arrived, no line.
  const showAssignedRoute = (incidentId: number) => {
    const incident = store.incidents.get(incidentId);
    if (!incident || incident.needsUnit) return;
    const driving = incident.unitIds
      .map((id) => store.units.get(id))
      .find((u) => u?.status === 'dispatched' || u?.status === 'en_route');
    if (driving) route.show(incidentId, driving.id, driving.callSign);
    else route.clear();
  };
  // The selected incident changed: it got a unit, its unit arrived, or
  // it lost its last unit before the scene (then it is ranked again).
  const selectedChanged = (incident: IncidentView) => {
    const units = incident.unitIds.join();
    if (incident.needsUnit && !selectedNeedsUnit) {
      route.clear();
      recommendations.reload();
    } else if (units !== selectedUnits || incident.phase !== selectedPhase) {
      showAssignedRoute(incident.id);
    }
    selectedNeedsUnit = incident.needsUnit;
    selectedUnits = units;
    selectedPhase = incident.phase;
  };

  const intake = intakePanel({
    token: session.token,
    onPoint: (point) => map.setIntakePoint(point),
    onCreated: (incident) => {
      store.upsertIncident(incident);
      select(incident.id);
    },
    onPlace: (place) => map.focus(place),
    onSelectIncident: (id) => select(id),
  });
  const queue = incidentQueue({
    store,
    timeZone: city.timeZone,
    selected: () => selected,
    onSelect: (id) => select(id),
  });
  const recommendations = recommendationsPanel(session.token, (id, line) => {
    // A unit on its way keeps its own line.
    if (id !== selected || !store.incidents.get(id)?.needsUnit) return false;
    if (line) route.show(id, line.unitId, line.callSign);
    else route.clear();
    return line !== null;
  });
  recommendations.show(null);
  side.append(intake.element, queue.element, recommendations.element);
  map.onClick((point) => intake.setPoint(point));

  // Unit markers are redrawn at most every UNIT_REDRAW_MS: tablets report
  // once a second, and every redraw of the units' canvas costs a frame.
  // Redrawing on each position batch measured ~145 ms of main-thread work
  // per second with 200 units moving (npm run bench:console).
  const pendingUnits = new Map<number, UnitView>();
  let unitTimer: number | undefined;
  const redrawUnits = () => {
    unitTimer = undefined;
    for (const unit of pendingUnits.values()) map.showUnit(unit);
    pendingUnits.clear();
  };

  store.subscribe((change) => {
    // Every (re)connect starts with a snapshot: redraw the coverage then.
    if (change.kind === 'snapshot') coverage.refreshNow();
    if (change.kind === 'eta') {
      // The queue repaints drive times with its timers.
      map.setEta(change.update);
      route.moved(change.update.unitId);
      return;
    }
    if (change.kind === 'units') {
      for (const unit of change.units) pendingUnits.set(unit.id, unit);
      unitTimer ??= window.setTimeout(redrawUnits, UNIT_REDRAW_MS);
      return;
    }
    if (change.kind === 'snapshot') {
      pendingUnits.clear();
      map.showAllUnits(store.units.values());
      map.showAllIncidents(store.incidents.values(), select);
      intake.incidentChanged();
    } else {
      map.showIncident(change.incident, select);
      intake.incidentChanged();
      if (change.incident.id === selected) selectedChanged(change.incident);
    }
    if (selected !== null && !store.incidents.get(selected)?.open) {
      select(null);
    } else {
      queue.redraw();
    }
  });

  const socket = connectConsole(
    session.token,
    store,
    (state: ConnectionState, detail?: string) => {
      setText(connection, () => t(`connection.${state}`));
      connection.dataset.state = state;
      connection.title = detail ?? '';
    },
    (message) => {
      session$.abort();
      window.clearInterval(timer);
      coverage.stop();
      socket.close();
      sessions.clear();
      showLogin(() => t('session.ended', { reason: message }));
    },
  );
  // The server's degraded state, beside the connection's; reconnecting
  // after a recovery reloads the snapshot (see connectConsole).
  connection.after(
    healthIndicator(socket, () => socket.disconnect().connect()),
  );
  // Units that move or change status change the coverage.
  socket.on('unit:status', () => coverage.unitsChanged());
  socket.on('unit:positions', () => coverage.unitsChanged());

  // Markers' tooltips render on opening; the rest repaints itself.
  const unsubscribe = onLanguageChange(() => {
    tick();
    queue.redraw();
  });
  session$.signal.addEventListener('abort', unsubscribe);

  const tick = () => {
    clock.textContent = formatClock(
      new Date(Date.now() + store.clockOffsetMs),
      city.timeZone,
      intlLocale(),
    );
    queue.tick();
  };
  tick();
  const timer = window.setInterval(tick, 500);

  document.addEventListener(
    'keydown',
    (event) => {
      if (event.key !== 'Enter' || selected === null) return;
      // Enter inside a form field submits that form, not an assignment.
      const target = event.target as HTMLElement | null;
      if (target?.closest('input, select, textarea, button, form')) return;
      event.preventDefault();
      recommendations.assignTop();
    },
    { signal: session$.signal },
  );

  logoutButton.addEventListener('click', () => {
    window.clearInterval(timer);
    socket.close();
    sessions.clear();
    void logout(session.token).catch(() => undefined);
    location.reload();
  });
}

const saved = sessions.load();
if (saved) void start(saved);
else showLogin();
