import '../styles/planner.css';

import { ApiError, apiRequest } from '../shared/api.ts';
import { logout, SessionStore, type Session } from '../shared/auth.ts';
import { byId, el, setText, type Text } from '../shared/dom.ts';
import { formatMmSs } from '../shared/format.ts';
import { onLanguageChange, t } from '../shared/i18n.ts';
import { initLanguage, languageSelect } from '../shared/language-select.ts';
import { loginErrorText, loginForm } from '../shared/login-form.ts';
import type { CityInfo, IncidentView, Priority } from '../shared/types.ts';
import {
  byHourTable,
  byPriorityTable,
  histogramChart,
  intervalLabel,
} from './charts.ts';
import { lastDays, periodInstants } from './period.ts';
import {
  fetchIncidents,
  fetchReport,
  INCIDENT_LIMIT,
  INTERVALS,
  type PlannerQuery,
  type ReportFigures,
  type ResponseTimeReport,
} from './report.ts';
import {
  byHour,
  formatPercent,
  histogram,
  reportable,
  responseTimes,
} from './stats.ts';

const sessions = new SessionStore('planner');
const app = byId<HTMLDivElement>('app');
initLanguage(() => t('app.planner'));

function showLogin(notice: Text = ''): void {
  const form = loginForm({
    title: () => t('app.planner'),
    notice,
    allowed: ['planner', 'admin', 'dispatcher'],
    onLoggedIn: (session) => {
      sessions.save(session);
      void start(session);
    },
  });
  app.replaceChildren(form);
}

/** Ends the session on an expired or revoked token; other errors show. */
function isSessionEnd(err: unknown): boolean {
  return err instanceof ApiError && err.status === 401;
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

  const period = lastDays(new Date(), city.timeZone);
  const from = el('input', {
    testId: 'planner-from',
    attrs: { type: 'date', name: 'from', value: period.from, required: '' },
  });
  const to = el('input', {
    testId: 'planner-to',
    attrs: { type: 'date', name: 'to', value: period.to, required: '' },
  });
  const priority = el('select', { testId: 'planner-priority' }, [
    el('option', {
      text: () => t('planner.allPriorities'),
      attrs: { value: '' },
    }),
    el('option', { text: () => t('planner.highest'), attrs: { value: '1' } }),
    el('option', { text: '2', attrs: { value: '2' } }),
    el('option', { text: '3', attrs: { value: '3' } }),
  ]);
  const apply = el('button', {
    testId: 'planner-apply',
    text: () => t('planner.apply'),
    attrs: { type: 'submit' },
  });
  const status = el('p', {
    className: 'status',
    testId: 'planner-status',
    attrs: { role: 'status' },
  });
  const filters = el('form', { className: 'filters' }, [
    el('label', {}, [() => t('planner.from'), from]),
    el('label', {}, [() => t('planner.to'), to]),
    el('label', {}, [() => t('planner.priority'), priority]),
    apply,
    el('span', {
      className: 'muted zone',
      text: () => t('planner.zone', { zone: city.timeZone }),
    }),
  ]);

  const cards = el('section', { className: 'cards' });
  const histogramBox = el('div', { className: 'chart' });
  const histogramNote = el('p', { className: 'muted note' });
  const byPriorityBox = el('div');
  const byHourBox = el('div');
  const logoutButton = el('button', {
    testId: 'logout',
    text: () => t('logout.named', { user: session.username }),
    attrs: { type: 'button' },
  });
  app.replaceChildren(
    el('header', { className: 'top' }, [
      el('strong', {
        text: () => t('planner.header', { city: city.name }),
      }),
      el('span', {
        className: 'muted',
        text: () => t('planner.target', { seconds: city.targetSeconds }),
      }),
      languageSelect(),
      logoutButton,
    ]),
    el('main', { className: 'planner' }, [
      filters,
      status,
      cards,
      el('section', { className: 'panel' }, [
        el('h2', { text: () => t('planner.histogramTitle') }),
        histogramBox,
        histogramNote,
      ]),
      el('div', { className: 'columns' }, [
        el('section', { className: 'panel' }, [
          el('h2', { text: () => t('planner.byPriority') }),
          byPriorityBox,
        ]),
        el('section', { className: 'panel' }, [
          el('h2', {
            text: () => t('planner.byHour', { zone: city.timeZone }),
          }),
          byHourBox,
        ]),
      ]),
    ]),
  );

  const endSession = (message: Text) => {
    unsubscribe();
    sessions.clear();
    showLogin(message);
  };
  // The figures and charts are drawn in the language in use: draw the
  // last answer again on a switch (the rest repaints itself).
  let last: Parameters<typeof draw> | null = null;
  const unsubscribe = onLanguageChange(() => {
    if (last) draw(...last);
  });
  logoutButton.addEventListener('click', () => {
    void logout(session.token)
      .catch(() => undefined)
      .finally(() => endSession(''));
  });

  // Only the newest request draws: an older, slower answer is dropped.
  let generation = 0;
  const load = async () => {
    let query: PlannerQuery;
    try {
      query = {
        ...periodInstants({ from: from.value, to: to.value }, city.timeZone),
        priority: priority.value ? (Number(priority.value) as Priority) : null,
      };
    } catch (err) {
      status.dataset.kind = 'error';
      setText(status, err instanceof Error ? err.message : String(err));
      return;
    }
    const mine = ++generation;
    status.dataset.kind = 'loading';
    setText(status, () => t('planner.loading'));
    apply.disabled = true;
    try {
      const [report, incidents] = await Promise.all([
        fetchReport(query, session.token),
        fetchIncidents(query, session.token),
      ]);
      if (mine !== generation) return;
      last = [report, incidents, query.priority];
      draw(report, incidents, query.priority);
      status.dataset.kind = 'ok';
      const period = { from: from.value, to: to.value };
      const only = query.priority;
      setText(status, () =>
        only === null
          ? t('planner.periodAll', period)
          : t('planner.periodOne', { ...period, priority: only }),
      );
    } catch (err) {
      if (mine !== generation) return;
      if (isSessionEnd(err)) {
        const reason = (err as Error).message;
        endSession(() => t('session.ended', { reason }));
        return;
      }
      status.dataset.kind = 'error';
      setText(status, err instanceof Error ? err.message : String(err));
    } finally {
      if (mine === generation) apply.disabled = false;
    }
  };

  const draw = (
    report: ResponseTimeReport,
    all: IncidentView[],
    only: Priority | null,
  ) => {
    const target = report.targetSeconds || city.targetSeconds;
    cards.replaceChildren(...figureCards(report, target));

    const counted = reportable(all, only);
    const responses = responseTimes(counted);
    histogramBox.replaceChildren(histogramChart(histogram(responses), target));
    const truncated = all.length >= INCIDENT_LIMIT;
    histogramNote.textContent =
      t('planner.note', { count: responses.length }) +
      (truncated ? t('planner.truncated', { limit: INCIDENT_LIMIT }) : '');

    const priorities: { priority: Priority; figures: ReportFigures }[] =
      report.byPriority
        ? ([1, 2, 3] as const).flatMap((p) => {
            const figures = report.byPriority?.[p];
            return figures ? [{ priority: p, figures }] : [];
          })
        : only === null
          ? []
          : [{ priority: only, figures: report }];
    byPriorityBox.replaceChildren(byPriorityTable(priorities));
    byHourBox.replaceChildren(
      byHourTable(byHour(counted, city.timeZone, target)),
    );
  };

  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    void load();
  });
  await load();
}

/** The count, the share within target and one card per interval. */
function figureCards(
  report: ResponseTimeReport,
  target: number,
): HTMLElement[] {
  // Reads "within 180 s: 83%", the share in large type.
  const within = el('div', { className: 'value', testId: 'planner-within' }, [
    el('small', { text: t('planner.within', { seconds: target }) }),
    el('span', { text: formatPercent(report.withinTargetRatio) }),
  ]);
  within.dataset.ratio = String(report.withinTargetRatio ?? '');
  const measured = report.intervals.response.count;
  const result: HTMLElement[] = [
    el('article', { className: 'card' }, [
      el('h3', { text: t('planner.calls') }),
      el('div', {
        className: 'value',
        testId: 'planner-count',
        text: String(report.count),
      }),
      el('p', {
        className: 'muted',
        text: t('planner.callsNote', { measured }),
      }),
    ]),
    el(
      'article',
      {
        className: 'card within ' + withinClass(report.withinTargetRatio),
      },
      [
        el('h3', { text: t('planner.withinTarget') }),
        within,
        el('p', {
          className: 'muted',
          text: t('planner.measuredOf', { measured }),
        }),
      ],
    ),
  ];
  for (const name of INTERVALS) {
    const summary = report.intervals[name];
    const p50 = el('span', {
      className: 'p50',
      text: formatMmSs(summary.p50),
    });
    p50.dataset.stat = 'p50';
    const p90 = el('span', {
      className: 'p90',
      text: formatMmSs(summary.p90),
    });
    p90.dataset.stat = 'p90';
    const card = el(
      'article',
      { className: 'card', testId: `interval-${name}` },
      [
        el('h3', { text: intervalLabel(name) }),
        el('div', { className: 'value' }, [el('small', { text: 'p50 ' }), p50]),
        el('div', { className: 'sub' }, [el('small', { text: 'p90 ' }), p90]),
        el('p', { className: 'muted', text: `n = ${summary.count}` }),
      ],
    );
    result.push(card);
  }
  return result;
}

function withinClass(ratio: number | null): string {
  if (ratio === null) return '';
  if (ratio >= 0.9) return 'good';
  if (ratio >= 0.7) return 'fair';
  return 'poor';
}

const saved = sessions.load();
if (saved) void start(saved);
else showLogin();
