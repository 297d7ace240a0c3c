// JobScheduler dashboard: plain JavaScript, no framework, no build step. It reads the JSON API next to it and renders
// two tables; rows are updated in place (keyed by job name and session id), so focus and open error details survive
// the auto-refresh. Everything from the server is inserted as text, never as HTML.

const api = document.body.dataset.api;
const REFRESH_MS = 5000;
const PAGE_SIZE = 25;
const MAX_LIMIT = 1000;
// Every state change carries this header; the server refuses POSTs without it (a cross-site form cannot send it).
const CHANGE_HEADERS = { 'X-JobScheduler-Request': '1' };

const $ = (id) => document.getElementById(id);
const ui = {
  jobsBody: $('jobs-body'),
  jobsEmpty: $('jobs-empty'),
  jobCount: $('job-count'),
  sessionsBody: $('sessions-body'),
  sessionsEmpty: $('sessions-empty'),
  sessionsHeading: $('sessions-heading'),
  showAll: $('show-all'),
  loadOlder: $('load-older'),
  autoRefresh: $('auto-refresh'),
  refresh: $('refresh'),
  updated: $('updated'),
  message: $('message'),
};

const state = {
  job: null,          // the job whose history is shown, or null for recent sessions of every job
  limit: PAGE_SIZE,   // recent sessions: how many to show
  older: [],          // job history: sessions loaded with "Load older", after the first page
  cursor: null,       // job history: the `before` value of the next older page
  firstPageCursor: null,
  refreshing: null,
  jobs: [],
};

const dateTime = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit' });

// ---------- API ----------

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

async function call(path, options = {}) {
  const response = await fetch(api + path, {
    credentials: 'same-origin',
    cache: 'no-store',
    ...options,
    headers: { Accept: 'application/json', ...(options.headers || {}) },
  });
  const type = response.headers.get('content-type') || '';
  const body = type.includes('json') ? await response.json() : null;
  if (!response.ok) {
    const detail = body && (body.detail || body.title);
    throw new ApiError(detail || `${response.status} ${response.statusText}`, response.status);
  }
  return body;
}

const jobPath = (name) => `/jobs/${encodeURIComponent(name)}`;

// ---------- formatting ----------

function formatTime(iso) {
  return iso ? dateTime.format(new Date(iso)) : '—';
}

function relative(iso) {
  if (!iso) return '';
  const seconds = Math.round((Date.parse(iso) - Date.now()) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 1) return 'now';
  let text;
  if (abs < 60) text = `${abs} s`;
  else if (abs < 3600) text = `${Math.round(abs / 60)} min`;
  else if (abs < 86400) text = `${Math.round(abs / 3600)} h`;
  else text = `${Math.round(abs / 86400)} d`;
  return seconds > 0 ? `in ${text}` : `${text} ago`;
}

// A .NET TimeSpan as System.Text.Json writes it: [-][d.]hh:mm:ss[.fffffff]
function parseDuration(text) {
  const match = /^(-)?(?:(\d+)\.)?(\d+):(\d+):(\d+)(?:\.(\d+))?$/.exec(text || '');
  if (!match) return null;
  const [, sign, days, hours, minutes, seconds, fraction] = match;
  const total = ((+(days || 0) * 24 + +hours) * 60 + +minutes) * 60 + +seconds + (fraction ? +`0.${fraction}` : 0);
  return sign ? -total : total;
}

function formatDuration(text) {
  const seconds = parseDuration(text);
  if (seconds === null) return '—';
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 2 : 1)} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.round((seconds % 3600) / 60)} min`;
}

function firstLine(text) {
  return (text || '').split('\n', 1)[0].trim();
}

// ---------- DOM helpers ----------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'className') node.className = value;
    else if (key === 'text') node.textContent = value;
    else if (key.startsWith('data-') || key.startsWith('aria-') || key === 'role' || key === 'title' || key === 'type') node.setAttribute(key, value === true ? '' : value);
    else node[key] = value;
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

function setText(node, text) {
  if (node.textContent !== text) node.textContent = text;
}

function setAttr(node, name, value) {
  if (value === null || value === undefined) node.removeAttribute(name);
  else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

// Reconciles a tbody with a list: rows are reused by key, created, moved or removed.
function syncRows(tbody, items, keyOf, create, update) {
  const existing = new Map([...tbody.rows].map((row) => [row.dataset.key, row]));
  let previous = null;
  for (const item of items) {
    const key = keyOf(item);
    let row = existing.get(key);
    if (row) existing.delete(key);
    else {
      row = create(item);
      row.dataset.key = key;
    }
    update(row, item);
    const expected = previous ? previous.nextSibling : tbody.firstChild;
    if (row !== expected) tbody.insertBefore(row, expected);
    previous = row;
  }
  for (const row of existing.values()) row.remove();
}

function statusBadge(badge, status) {
  const name = status || 'None';
  setText(badge, status || 'never run');
  const className = `badge status-${name.toLowerCase()}`;
  if (badge.className !== className) badge.className = className;
}

// The error of a failed session: a tooltip with its first line, expandable to the whole text.
function syncError(cell, error) {
  let details = cell.querySelector('details.error');
  if (!error) {
    if (details) details.remove();
    return;
  }
  if (!details) {
    details = el('details', { className: 'error', 'data-testid': 'session-error' },
      el('summary', { text: 'error' }), el('pre'));
    cell.append(details);
  }
  setAttr(details.querySelector('summary'), 'title', firstLine(error));
  setText(details.querySelector('pre'), error);
}

function showMessage(text, isError = false) {
  ui.message.hidden = !text;
  ui.message.classList.toggle('error', isError);
  ui.message.setAttribute('role', isError ? 'alert' : 'status');
  setText(ui.message, text || '');
}

// ---------- jobs ----------

function createJobRow(job) {
  const name = job.name;
  const row = el('tr', { 'data-testid': 'job-row', 'data-job': name });
  row.append(
    el('td', {},
      el('button', { type: 'button', className: 'link', 'data-action': 'history', 'data-testid': 'job-link', text: name,
        'aria-label': `Show history of ${name}` }),
      el('span', { className: 'tags' })),
    el('td', {}, el('code', { 'data-field': 'schedule', 'data-testid': 'job-schedule' })),
    el('td', { 'data-field': 'timeZone', 'data-testid': 'job-time-zone' }),
    el('td', { className: 'time' },
      el('span', { 'data-field': 'next', 'data-testid': 'job-next-run' }),
      el('span', { className: 'sub', 'data-field': 'nextRelative' })),
    el('td', { 'data-field': 'last' },
      el('span', { className: 'badge', 'data-testid': 'job-last-status' }),
      el('span', { className: 'sub', 'data-field': 'lastRelative' })),
    el('td', { className: 'num', 'data-field': 'running', 'data-testid': 'job-running' }),
    el('td', {},
      el('div', { className: 'actions' },
        el('button', { type: 'button', 'data-action': 'trigger', 'data-testid': 'trigger-button', text: 'Trigger', 'aria-label': `Trigger ${name} now` }),
        el('button', { type: 'button', className: 'secondary', 'data-action': 'pause', 'data-testid': 'pause-button', text: 'Pause', 'aria-label': `Pause ${name}` }),
        el('button', { type: 'button', className: 'secondary', 'data-action': 'resume', 'data-testid': 'resume-button', text: 'Resume', 'aria-label': `Resume ${name}` }))));
  return row;
}

function updateJobRow(row, job) {
  const field = (name) => row.querySelector(`[data-field="${name}"]`);
  row.classList.toggle('selected', state.job === job.name);
  setAttr(row, 'data-paused', String(job.isPaused));
  setAttr(row, 'data-enabled', String(job.isEnabled));

  const tags = row.querySelector('.tags');
  const wanted = [!job.isEnabled && 'disabled', job.isPaused && 'paused', !job.schedule && 'on demand'].filter(Boolean);
  if (tags.dataset.value !== wanted.join('|')) {
    tags.dataset.value = wanted.join('|');
    tags.replaceChildren(...wanted.map((text) => el('span', { className: 'tag', text })));
  }
  setAttr(row.querySelector('[data-testid="job-link"]'), 'title', `${job.jobType} — show history`);
  setText(field('schedule'), job.schedule || '—');
  setText(field('timeZone'), job.timeZone || '');

  let reason = '';
  if (!job.nextRunAt) {
    reason = !job.isEnabled ? 'disabled' : job.isPaused ? 'paused' : !job.schedule ? 'on demand' : 'no future run';
  }
  setText(field('next'), job.nextRunAt ? formatTime(job.nextRunAt) : '—');
  setAttr(field('next'), 'title', job.nextRunAt || null);
  setText(field('nextRelative'), job.nextRunAt ? relative(job.nextRunAt) : reason);

  const last = job.lastSession;
  statusBadge(row.querySelector('[data-testid="job-last-status"]'), last && last.status);
  setText(field('lastRelative'), last ? relative(last.startedAt) : '');
  syncError(field('last'), last && last.error);
  setText(field('running'), String(job.runningCount));

  const trigger = row.querySelector('[data-action="trigger"]');
  const pause = row.querySelector('[data-action="pause"]');
  const resume = row.querySelector('[data-action="resume"]');
  trigger.disabled = !job.isEnabled;
  setAttr(trigger, 'title', job.isEnabled ? null : 'Disabled by configuration');
  pause.hidden = job.isPaused;
  resume.hidden = !job.isPaused;
  pause.disabled = resume.disabled = !job.isEnabled || (!job.schedule && !job.isPaused);
  setAttr(pause, 'title', !job.isEnabled ? 'Disabled by configuration' : !job.schedule ? 'On demand: no schedule to pause' : null);
}

function renderJobs(jobs) {
  state.jobs = jobs;
  syncRows(ui.jobsBody, jobs, (job) => job.name, createJobRow, updateJobRow);
  ui.jobsEmpty.hidden = jobs.length > 0;
  setText(ui.jobCount, `(${jobs.length})`);
}

// ---------- sessions ----------

function createSessionRow() {
  return el('tr', { 'data-testid': 'session-row' },
    el('td', {}, el('button', { type: 'button', className: 'link', 'data-action': 'history', 'data-field': 'job' })),
    el('td', { 'data-field': 'status' }, el('span', { className: 'badge', 'data-testid': 'session-status' })),
    el('td', { 'data-field': 'trigger' }),
    el('td', { className: 'time', 'data-field': 'started' }),
    el('td', { className: 'num', 'data-field': 'duration', 'data-testid': 'session-duration' }),
    el('td', { className: 'num', 'data-field': 'attempt' }),
    el('td', { className: 'muted', 'data-field': 'instance' }));
}

function updateSessionRow(row, session) {
  const field = (name) => row.querySelector(`[data-field="${name}"]`);
  setAttr(row, 'data-session-id', session.id);
  setAttr(row, 'data-job', session.jobName);
  setAttr(row, 'data-status', session.status);
  const job = field('job');
  setText(job, session.jobName);
  setAttr(job, 'aria-label', `Show history of ${session.jobName}`);
  statusBadge(row.querySelector('[data-testid="session-status"]'), session.status);
  syncError(field('status'), session.error);
  setText(field('trigger'), session.trigger);
  setText(field('started'), formatTime(session.startedAt));
  setAttr(field('started'), 'title', `Started ${session.startedAt}; scheduled for ${session.scheduledAt}`);
  setText(field('duration'), session.status === 'Running' ? 'running…' : formatDuration(session.duration));
  setText(field('attempt'), String(session.attempt));
  setText(field('instance'), session.instanceId || '');
}

function renderSessions(sessions, canLoadMore) {
  syncRows(ui.sessionsBody, sessions, (s) => s.id, createSessionRow, updateSessionRow);
  ui.sessionsEmpty.hidden = sessions.length > 0;
  ui.loadOlder.hidden = !canLoadMore;
}

async function loadSessions() {
  if (state.job) {
    const page = await call(`${jobPath(state.job)}/sessions?limit=${PAGE_SIZE}`);
    state.firstPageCursor = page.nextBefore;
    const seen = new Set(page.sessions.map((s) => s.id));
    const sessions = page.sessions.concat(state.older.filter((s) => !seen.has(s.id)));
    const cursor = state.older.length ? state.cursor : page.nextBefore;
    renderSessions(sessions, cursor !== null);
  } else {
    const sessions = await call(`/sessions?limit=${state.limit}`);
    renderSessions(sessions, sessions.length >= state.limit && state.limit < MAX_LIMIT);
  }
}

async function loadOlder() {
  if (!state.job) {
    state.limit = Math.min(MAX_LIMIT, state.limit * 2);
    await refresh();
    return;
  }
  const before = state.older.length ? state.cursor : state.firstPageCursor;
  if (!before) return;
  const page = await call(`${jobPath(state.job)}/sessions?limit=${PAGE_SIZE}&before=${encodeURIComponent(before)}`);
  state.older = state.older.concat(page.sessions);
  state.cursor = page.nextBefore;
  await refresh();
}

// ---------- view (the URL hash says which: #job=<name> for one job's history) ----------

function readView() {
  const match = /^#job=(.+)$/.exec(location.hash);
  const job = match ? decodeURIComponent(match[1]) : null;
  if (job !== state.job) {
    state.job = job;
    state.older = [];
    state.cursor = null;
    state.firstPageCursor = null;
    state.limit = PAGE_SIZE;
    ui.sessionsBody.replaceChildren();
  }
  setText(ui.sessionsHeading, job ? `History of ${job}` : 'Recent sessions');
  ui.showAll.hidden = !job;
  setText(ui.loadOlder, job ? 'Load older sessions' : 'Show more sessions');
}

// ---------- refresh ----------

async function refresh() {
  if (state.refreshing) return state.refreshing;
  state.refreshing = (async () => {
    try {
      const jobs = await call('/jobs');
      renderJobs(jobs);
      await loadSessions();
      setText(ui.updated, `Updated ${new Date().toLocaleTimeString()}`);
      if (ui.message.dataset.source === 'refresh') {
        ui.message.dataset.source = '';
        showMessage('');
      }
    } catch (error) {
      ui.message.dataset.source = 'refresh';
      showMessage(`Refresh failed: ${error.message}`, true);
    } finally {
      state.refreshing = null;
    }
  })();
  return state.refreshing;
}

async function act(button, action, name) {
  button.disabled = true;
  ui.message.dataset.source = 'action';
  try {
    const result = await call(`${jobPath(name)}/${action}`, { method: 'POST', headers: CHANGE_HEADERS });
    if (action === 'trigger') showMessage(`Triggered ${result.jobName}: session ${result.sessionId}`);
    else showMessage(`${action === 'pause' ? 'Paused' : 'Resumed'} ${result.name}`);
  } catch (error) {
    showMessage(`Could not ${action} ${name}: ${error.message}`, true);
  } finally {
    button.disabled = false;
  }
  await refresh();
  // A triggered run records its session a moment later: look again soon.
  if (action === 'trigger') setTimeout(refresh, 1000);
}

function onClick(event) {
  const button = event.target.closest('button[data-action]');
  if (!button) return;
  const row = button.closest('tr');
  const name = row && row.dataset.job;
  if (!name) return;
  const action = button.dataset.action;
  if (action === 'history') {
    location.hash = `job=${encodeURIComponent(name)}`;
    ui.sessionsHeading.focus();
  } else {
    act(button, action, name);
  }
}

ui.jobsBody.addEventListener('click', onClick);
ui.sessionsBody.addEventListener('click', onClick);
ui.showAll.addEventListener('click', () => {
  history.pushState(null, '', location.pathname + location.search);
  readView();
  refresh();
});
ui.loadOlder.addEventListener('click', () => loadOlder().catch((error) => showMessage(`Loading failed: ${error.message}`, true)));
ui.refresh.addEventListener('click', () => refresh());
window.addEventListener('hashchange', () => {
  readView();
  refresh();
});
window.addEventListener('popstate', () => {
  readView();
  refresh();
});

setInterval(() => {
  if (ui.autoRefresh.checked && !document.hidden) refresh();
}, REFRESH_MS);

readView();
refresh();
