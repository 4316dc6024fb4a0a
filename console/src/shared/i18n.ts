/**
 * The console's and the tablet's words in English and Spanish (es-AR).
 * `en` defines the keys; `es` is typed against them, so a key missing in
 * either language (or one only Spanish has) fails the type check.
 * DOM-free: the DOM bindings that redraw on a switch live in dom.ts.
 */
import type { IncidentPhase, UnitStatus } from './types.ts';

/** The languages the screens speak. */
export type Language = 'en' | 'es-AR';

export const LANGUAGES: readonly { code: Language; name: string }[] = [
  { code: 'en', name: 'English' },
  { code: 'es-AR', name: 'Español' },
];

const en = {
  'app.console': 'Dispatch console',
  'app.tablet': 'Crew tablet',
  'app.consoleHeader': 'Dispatch · {city}',
  'language.label': 'Language',
  'login.user': 'User',
  'login.password': 'Password',
  'login.submit': 'Log in',
  'login.wrongRole':
    'user {user} has role {role}; this screen is for {allowed}',
  'login.or': ' or ',
  'session.ended': 'Session ended: {reason}. Log in again.',
  'session.endedByServer': 'session ended',
  'session.loggedOut': 'logged out',
  'logout.named': 'Log out {user}',
  'logout.plain': 'Log out',
  'logout.unsent': 'Reports are still unsent. Log out anyway?',
  refused: 'Refused: {message}',
  'connection.connecting': 'connecting',
  'connection.online': 'online',
  'connection.offline': 'offline',
  'health.degraded': 'degraded: {parts}',
  'health.storage': 'database down, calls are not saved',
  'health.live': 'live link down, other consoles may be missed',
  'health.routing': 'routing server down, embedded drive times',
  'intake.title': 'New call',
  'intake.location': 'Location',
  'intake.locationPlaceholder': 'click the map or type lat, lon',
  'intake.locationInvalid': 'expected lat, lon',
  'intake.locationMissing':
    'Location: click the map or type lat, lon (degrees).',
  'intake.priority': 'Priority',
  'intake.priority1': '1 (life threat)',
  'intake.priority2': '2 (urgent)',
  'intake.priority3': '3 (non-urgent)',
  'intake.complaint': 'Complaint',
  'intake.phone': 'Caller phone',
  'intake.address': 'Address (optional)',
  'intake.submit': 'Create',
  'intake.created': 'Incident #{id} created.',
  'search.label': 'Street or crossing',
  'search.placeholder': 'e.g. av ipiranga, or ipiranga & azenha',
  'search.street': 'street',
  'search.crossing': 'crossing',
  'search.near': 'near {streets}',
  'search.addressNear': '{name}, near {street}',
  'search.none': 'No street or crossing matches.',
  'search.failed': 'Search unavailable: {message}',
  'duplicate.title':
    'Possible duplicate: {count} open incident(s) within {meters} m in the last {minutes} min',
  'duplicate.item':
    '#{id} P{priority} {phase} · {meters} m · {minutes} min ago {complaint}',
  'duplicate.failed':
    'Duplicate check unavailable: look at the map for nearby incidents.',
  'queue.title': 'Incidents',
  'queue.empty': 'No open incidents.',
  'queue.responseTime': 'response time (received to on scene)',
  'queue.sinceCall': 'time since the call was received',
  'queue.needsUnit': 'needs a unit',
  'queue.unitFreed': 'unit freed: needs a unit',
  'queue.eta': '{unit} ETA {eta}',
  'recs.title': 'Recommendations',
  'recs.titleFor': 'Recommendations for #{id}',
  'recs.ranking': 'Ranking…',
  'recs.none': 'No unit can be sent.',
  'recs.select': 'Select an incident.',
  'recs.assign': 'Assign',
  'recs.assigned': '{unit} assigned to incident #{id}.',
  'map.station': 'Station {name}',
  'map.newCall': 'New call at {point}',
  'map.stale': 'stale',
  'map.incident': 'Incident {id}',
  'map.eta': 'ETA {eta} to #{id}',
  'map.route': 'Route {unit} → #{id}: {eta}, {distance}',
  'coverage.toggle': 'Coverage',
  'coverage.summary': '{minutes}-min coverage: {km} km of road, {units} units',
  'coverage.loading': 'Coverage: loading…',
  'coverage.failed': 'Coverage unavailable: {message}',
  'phase.received': 'received',
  'phase.dispatched': 'dispatched',
  'phase.acknowledged': 'acknowledged',
  'phase.en_route': 'en route',
  'phase.on_scene': 'on scene',
  'phase.transporting': 'transporting',
  'phase.at_hospital': 'at hospital',
  'phase.closed': 'closed',
  'phase.cancelled': 'cancelled',
  'status.available': 'available',
  'status.dispatched': 'dispatched',
  'status.en_route': 'en route',
  'status.on_scene': 'on scene',
  'status.transporting': 'transporting',
  'status.at_hospital': 'at hospital',
  'status.out_of_service': 'out of service',
  'crew.ack': 'Acknowledge',
  'crew.en_route': 'En route',
  'crew.on_scene': 'On scene',
  'crew.transporting': 'Transporting',
  'crew.at_hospital': 'At hospital',
  'crew.available': 'Available',
  'tablet.toSend': '{count} to send',
  'tablet.allSent': 'all sent',
  'tablet.notRecorded': 'Not recorded: {message}',
  'tablet.cancelled': 'Incident #{id} cancelled: {reason}',
  'tablet.arrival': 'GPS puts you {phase}: confirm with the button.',
  'tablet.noAssignment': 'No assignment.',
  'tablet.incidentTitle': 'Incident #{id} · priority {priority}',
  'tablet.noComplaint': 'no complaint given',
  'tablet.complaintNotKept':
    'complaint shown again once online (not kept on this device)',
  'tablet.eta': 'ETA {eta} · {distance}',
  'tablet.noRoute': 'No route: drive by the map',
  'gps.unsupported': 'GPS: not available on this device',
  'gps.waiting': 'GPS: waiting for a fix',
  'gps.ok': 'GPS: ±{meters} m',
  'gps.denied': 'GPS: permission denied',
  'gps.error': 'GPS: {message}',
  'app.planner': 'Response-time planner',
  'planner.header': 'Response times · {city}',
  'planner.target': 'target {seconds} s',
  'planner.from': 'From',
  'planner.to': 'To (included)',
  'planner.priority': 'Priority',
  'planner.allPriorities': 'All',
  'planner.highest': '1 (highest)',
  'planner.apply': 'Apply',
  'planner.zone': 'Days and hours in {zone}',
  'planner.histogramTitle': 'Response time distribution (30 s bins)',
  'planner.byPriority': 'By priority',
  'planner.byHour': 'By hour of day ({zone})',
  'planner.loading': 'Loading…',
  'planner.periodAll': '{from} to {to}, all priorities',
  'planner.periodOne': '{from} to {to}, priority {priority}',
  'planner.note':
    '{count} measured responses; bars at or past the target in red.',
  'planner.truncated':
    ' Only the newest {limit} incidents of the period are in the histogram and the hours: choose a shorter period.',
  'planner.within': 'within {seconds} s: ',
  'planner.calls': 'Calls',
  'planner.callsNote': '{measured} with a unit on scene; cancelled left out',
  'planner.withinTarget': 'Within target',
  'planner.measuredOf': 'of {measured} measured responses',
  'interval.callProcessing': 'Call processing',
  'interval.turnout': 'Turnout',
  'interval.travel': 'Travel',
  'interval.response': 'Response',
  'chart.label': 'Histogram of response times in 30 second bins',
  'chart.orMore': '{time} or more',
  'chart.axis': 'response time, minutes',
  'chart.target': 'target {time}',
  'chart.hour': 'Hour',
  'chart.calls': 'Calls',
  'chart.within': 'Within',
  'chart.priority': 'Priority',
  'chart.callProcessingP50': 'Call proc. p50',
  'chart.turnoutP50': 'Turnout p50',
  'chart.travelP50': 'Travel p50',
  'chart.responseP50': 'Response p50',
  'chart.responseP90': 'Response p90',
} as const;

/** Every word the screens show. */
export type MessageKey = keyof typeof en;

/** A language's dictionary: exactly the keys of English. */
export type Dictionary = { readonly [K in MessageKey]: string };

const es: Dictionary = {
  'app.console': 'Consola de despacho',
  'app.tablet': 'Tableta de tripulación',
  'app.consoleHeader': 'Despacho · {city}',
  'language.label': 'Idioma',
  'login.user': 'Usuario',
  'login.password': 'Contraseña',
  'login.submit': 'Ingresar',
  'login.wrongRole':
    'el usuario {user} tiene el rol {role}; esta pantalla es para {allowed}',
  'login.or': ' o ',
  'session.ended': 'Sesión terminada: {reason}. Ingresá de nuevo.',
  'session.endedByServer': 'el servidor cerró la sesión',
  'session.loggedOut': 'sesión cerrada',
  'logout.named': 'Salir ({user})',
  'logout.plain': 'Salir',
  'logout.unsent': 'Hay reportes sin enviar. ¿Salir igual?',
  refused: 'Rechazado: {message}',
  'connection.connecting': 'conectando',
  'connection.online': 'en línea',
  'connection.offline': 'sin conexión',
  'health.degraded': 'modo degradado: {parts}',
  'health.storage': 'base de datos caída, las llamadas no se guardan',
  'health.live':
    'enlace en vivo caído, pueden faltar eventos de otras consolas',
  'health.routing': 'servidor de rutas caído, tiempos del router embebido',
  'intake.title': 'Nueva llamada',
  'intake.location': 'Ubicación',
  'intake.locationPlaceholder': 'hacé clic en el mapa o escribí lat, lon',
  'intake.locationInvalid': 'se espera lat, lon',
  'intake.locationMissing':
    'Ubicación: hacé clic en el mapa o escribí lat, lon (grados).',
  'intake.priority': 'Prioridad',
  'intake.priority1': '1 (riesgo de vida)',
  'intake.priority2': '2 (urgente)',
  'intake.priority3': '3 (no urgente)',
  'intake.complaint': 'Motivo',
  'intake.phone': 'Teléfono de quien llama',
  'intake.address': 'Dirección (opcional)',
  'intake.submit': 'Crear',
  'intake.created': 'Incidente #{id} creado.',
  'search.label': 'Calle o esquina',
  'search.placeholder': 'p. ej. av ipiranga, o ipiranga y azenha',
  'search.street': 'calle',
  'search.crossing': 'esquina',
  'search.near': 'cerca de {streets}',
  'search.addressNear': '{name}, cerca de {street}',
  'search.none': 'Ninguna calle o esquina coincide.',
  'search.failed': 'Búsqueda no disponible: {message}',
  'duplicate.title':
    'Posible duplicado: {count} incidente(s) abierto(s) a menos de {meters} m en los últimos {minutes} min',
  'duplicate.item':
    '#{id} P{priority} {phase} · {meters} m · hace {minutes} min {complaint}',
  'duplicate.failed':
    'No se pudo buscar duplicados: mirá el mapa por incidentes cercanos.',
  'queue.title': 'Incidentes',
  'queue.empty': 'No hay incidentes abiertos.',
  'queue.responseTime': 'tiempo de respuesta (de la llamada a la llegada)',
  'queue.sinceCall': 'tiempo desde que se recibió la llamada',
  'queue.needsUnit': 'necesita unidad',
  'queue.unitFreed': 'unidad liberada: necesita unidad',
  'queue.eta': '{unit} llega en {eta}',
  'recs.title': 'Recomendaciones',
  'recs.titleFor': 'Recomendaciones para #{id}',
  'recs.ranking': 'Calculando…',
  'recs.none': 'No hay unidad para enviar.',
  'recs.select': 'Elegí un incidente.',
  'recs.assign': 'Asignar',
  'recs.assigned': '{unit} asignada al incidente #{id}.',
  'map.station': 'Base {name}',
  'map.newCall': 'Nueva llamada en {point}',
  'map.stale': 'sin señal',
  'map.incident': 'Incidente {id}',
  'map.eta': 'llega en {eta} a #{id}',
  'map.route': 'Ruta {unit} → #{id}: {eta}, {distance}',
  'coverage.toggle': 'Cobertura',
  'coverage.summary':
    'Cobertura a {minutes} min: {km} km de calles, {units} unidades',
  'coverage.loading': 'Cobertura: cargando…',
  'coverage.failed': 'Cobertura no disponible: {message}',
  'phase.received': 'recibido',
  'phase.dispatched': 'despachado',
  'phase.acknowledged': 'confirmado',
  'phase.en_route': 'en camino',
  'phase.on_scene': 'en el lugar',
  'phase.transporting': 'trasladando',
  'phase.at_hospital': 'en el hospital',
  'phase.closed': 'cerrado',
  'phase.cancelled': 'cancelado',
  'status.available': 'disponible',
  'status.dispatched': 'despachada',
  'status.en_route': 'en camino',
  'status.on_scene': 'en el lugar',
  'status.transporting': 'trasladando',
  'status.at_hospital': 'en el hospital',
  'status.out_of_service': 'fuera de servicio',
  'crew.ack': 'Confirmar',
  'crew.en_route': 'En camino',
  'crew.on_scene': 'En el lugar',
  'crew.transporting': 'Trasladando',
  'crew.at_hospital': 'En el hospital',
  'crew.available': 'Disponible',
  'tablet.toSend': '{count} por enviar',
  'tablet.allSent': 'todo enviado',
  'tablet.notRecorded': 'No registrado: {message}',
  'tablet.cancelled': 'Incidente #{id} cancelado: {reason}',
  'tablet.arrival': 'El GPS indica {phase}: confirmá con el botón.',
  'tablet.noAssignment': 'Sin asignación.',
  'tablet.incidentTitle': 'Incidente #{id} · prioridad {priority}',
  'tablet.noComplaint': 'sin motivo informado',
  'tablet.complaintNotKept':
    'el motivo se muestra al volver la conexión (no se guarda en este equipo)',
  'tablet.eta': 'Llegada {eta} · {distance}',
  'tablet.noRoute': 'Sin ruta: guiate por el mapa',
  'gps.unsupported': 'GPS: no disponible en este equipo',
  'gps.waiting': 'GPS: esperando posición',
  'gps.ok': 'GPS: ±{meters} m',
  'gps.denied': 'GPS: permiso denegado',
  'gps.error': 'GPS: {message}',
  'app.planner': 'Planificación de tiempos de respuesta',
  'planner.header': 'Tiempos de respuesta · {city}',
  'planner.target': 'objetivo {seconds} s',
  'planner.from': 'Desde',
  'planner.to': 'Hasta (incluido)',
  'planner.priority': 'Prioridad',
  'planner.allPriorities': 'Todas',
  'planner.highest': '1 (máxima)',
  'planner.apply': 'Aplicar',
  'planner.zone': 'Días y horas en {zone}',
  'planner.histogramTitle':
    'Distribución del tiempo de respuesta (intervalos de 30 s)',
  'planner.byPriority': 'Por prioridad',
  'planner.byHour': 'Por hora del día ({zone})',
  'planner.loading': 'Cargando…',
  'planner.periodAll': '{from} a {to}, todas las prioridades',
  'planner.periodOne': '{from} a {to}, prioridad {priority}',
  'planner.note':
    '{count} respuestas medidas; en rojo las barras en el objetivo o después.',
  'planner.truncated':
    ' Solo los {limit} incidentes más recientes del período están en el histograma y las horas: elegí un período más corto.',
  'planner.within': 'dentro de {seconds} s: ',
  'planner.calls': 'Llamadas',
  'planner.callsNote': '{measured} con unidad en el lugar; sin las canceladas',
  'planner.withinTarget': 'Dentro del objetivo',
  'planner.measuredOf': 'de {measured} respuestas medidas',
  'interval.callProcessing': 'Procesamiento de la llamada',
  'interval.turnout': 'Salida',
  'interval.travel': 'Viaje',
  'interval.response': 'Respuesta',
  'chart.label':
    'Histograma de tiempos de respuesta en intervalos de 30 segundos',
  'chart.orMore': '{time} o más',
  'chart.axis': 'tiempo de respuesta, minutos',
  'chart.target': 'objetivo {time}',
  'chart.hour': 'Hora',
  'chart.calls': 'Llamadas',
  'chart.within': 'Dentro',
  'chart.priority': 'Prioridad',
  'chart.callProcessingP50': 'Proc. llamada p50',
  'chart.turnoutP50': 'Salida p50',
  'chart.travelP50': 'Viaje p50',
  'chart.responseP50': 'Respuesta p50',
  'chart.responseP90': 'Respuesta p90',
};

/** Both dictionaries, by language. */
export const DICTIONARIES: Readonly<Record<Language, Dictionary>> = {
  en,
  'es-AR': es,
};

/** Values put into a message's `{name}` placeholders. */
export type MessageParams = Readonly<Record<string, string | number>>;

/**
 * Fills `{name}` placeholders of a template; a placeholder with no value
 * stays as written, so a missing parameter shows instead of vanishing.
 */
export function format(template: string, params?: MessageParams): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const value = params[name];
    return value === undefined ? whole : String(value);
  });
}

/** Where the chosen language is kept (shared by the console and tablet). */
export const LANGUAGE_STORAGE_KEY = 'dispatch.language';

/** Whether `value` names one of {@link LANGUAGES}. */
export function isLanguage(value: unknown): value is Language {
  return LANGUAGES.some((language) => language.code === value);
}

/**
 * The language to start in: the saved choice, else Spanish for a browser
 * set to any Spanish (`es`, `es-AR`, `es-419`...), else English.
 */
export function detectLanguage(
  saved: string | null | undefined,
  browserLanguage: string | null | undefined,
): Language {
  if (isLanguage(saved)) return saved;
  return browserLanguage?.toLowerCase().startsWith('es') ? 'es-AR' : 'en';
}

let current: Language = 'en';
const listeners = new Set<(language: Language) => void>();

/** The language in use. */
export function language(): Language {
  return current;
}

/** The BCP 47 locale for `Intl` formatting in the language in use. */
export function intlLocale(lang: Language = current): string {
  return lang === 'en' ? 'en-US' : lang;
}

/** The message `key` in the language in use, placeholders filled. */
export function t(key: MessageKey, params?: MessageParams): string {
  return format(DICTIONARIES[current][key], params);
}

/** Switches the language and tells every listener (no-op when unchanged). */
export function setLanguage(next: Language): void {
  if (next === current) return;
  current = next;
  for (const listener of listeners) listener(next);
}

/** Calls `listener` after every switch; returns the unsubscribe. */
export function onLanguageChange(
  listener: (language: Language) => void,
): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A server's refusal, kept in its words, behind a translated prefix. */
export function refused(message: string): string {
  return t('refused', { message });
}

/** An incident phase's name. */
export function phaseName(phase: IncidentPhase): string {
  return t(`phase.${phase}`);
}

/** A unit status's name. */
export function statusName(status: UnitStatus): string {
  return t(`status.${status}`);
}

/** A list joined with the language's "or": `dispatcher or admin`. */
export function orList(items: readonly string[]): string {
  return items.join(t('login.or'));
}
