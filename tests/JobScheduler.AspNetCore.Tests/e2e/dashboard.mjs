// Loads the JobScheduler dashboard in headless Chromium, checks the jobs table, clicks a job's Trigger button and waits
// for the new session to appear, then takes a screenshot.
//
//   node dashboard.mjs <dashboard-url> [job-name]
//
// Environment: CHROMIUM_PATH (default /usr/bin/chromium, Debian's package), SCREENSHOT_PATH (default: a new file in the
// temp folder). Prints one line per step and exits 0 when every check passed, 1 otherwise.
// Install: eng/install-browser-deps.sh (Debian's chromium and `npm ci` here). `npx playwright install` is not used:
// playwright-core drives the system Chromium.
import { chromium } from 'playwright-core';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [url, jobName = 'fast-job'] = process.argv.slice(2);
if (!url) {
  console.error('usage: node dashboard.mjs <dashboard-url> [job-name]');
  process.exit(2);
}

const executablePath = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const screenshotPath = process.env.SCREENSHOT_PATH || join(tmpdir(), `jobscheduler-dashboard-${process.pid}.png`);
const STEP_TIMEOUT = 15_000;

if (!existsSync(executablePath)) {
  console.error(`FAIL: Chromium not found at ${executablePath}; run eng/install-browser-deps.sh`);
  process.exit(1);
}

const log = (message) => console.log(`e2e: ${message}`);
const check = (condition, message) => {
  if (!condition) throw new Error(message);
};

// A fresh profile for every run; no background networking (this machine's network is closed).
const userDataDir = mkdtempSync(join(tmpdir(), 'jobscheduler-chromium-'));
const context = await chromium.launchPersistentContext(userDataDir, {
  executablePath,
  headless: true,
  viewport: { width: 1360, height: 900 },
  args: [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ],
});

const problems = [];
let exitCode = 1;
try {
  const page = context.pages()[0] ?? (await context.newPage());
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()} for ${response.url()}`);
  });

  const response = await page.goto(url);
  check(response && response.ok(), `GET ${url} answered ${response && response.status()}`);
  log(`opened ${url}`);

  // The jobs table: one row per job, with the job's schedule and time zone filled in by the script.
  const jobRow = page.locator(`[data-testid="job-row"][data-job="${jobName}"]`);
  await jobRow.waitFor();
  const jobCount = await page.locator('[data-testid="job-row"]').count();
  const timeZone = (await jobRow.locator('[data-testid="job-time-zone"]').textContent()).trim();
  check(timeZone.length > 0, `the row of ${jobName} shows no time zone`);
  log(`jobs table: ${jobCount} jobs, ${jobName} in ${timeZone}`);

  const sessionRows = page.locator(`[data-testid="session-row"][data-job="${jobName}"]`);
  const before = new Set(await sessionRows.evaluateAll((rows) => rows.map((row) => row.dataset.sessionId)));
  log(`${before.size} session(s) of ${jobName} before the click`);

  await jobRow.getByRole('button', { name: `Trigger ${jobName} now` }).click();
  const message = page.getByTestId('status-message');
  await message.filter({ hasText: `Triggered ${jobName}` }).waitFor();
  const messageText = (await message.textContent()).trim();
  const sessionId = /session ([0-9a-f-]{36})/.exec(messageText)?.[1];
  check(sessionId && !before.has(sessionId), `unexpected status message: ${messageText}`);
  log(`clicked Trigger: "${messageText}"`);

  // The new session appears in the recent sessions table and finishes.
  const newRow = page.locator(`[data-testid="session-row"][data-session-id="${sessionId}"]`);
  await newRow.waitFor();
  await newRow.locator('[data-testid="session-status"]', { hasText: 'Succeeded' }).waitFor();
  const duration = (await newRow.locator('[data-testid="session-duration"]').textContent()).trim();
  log(`new session row ${sessionId}: Succeeded in ${duration}`);

  await page.screenshot({ path: screenshotPath, fullPage: true });
  log(`screenshot: ${screenshotPath}`);

  // A failed session's error: a tooltip with its first line, and the whole text on a click.
  const errorDetails = page.locator('[data-testid="session-row"] [data-testid="session-error"]').first();
  if (await errorDetails.count()) {
    const summary = errorDetails.locator('summary');
    const tooltip = await summary.getAttribute('title');
    await summary.click();
    const errorText = (await errorDetails.locator('pre').textContent()).trim();
    check(tooltip && errorText.startsWith(tooltip), `error tooltip "${tooltip}" does not start the error text`);
    const errorShot = screenshotPath.replace(/\.png$/, '') + '-error.png';
    await page.screenshot({ path: errorShot, fullPage: true });
    await summary.click();
    log(`error details: "${tooltip}" (screenshot: ${errorShot})`);
  }

  // The job's history view.
  await jobRow.getByRole('button', { name: `Show history of ${jobName}` }).click();
  await page.getByTestId('sessions-heading').filter({ hasText: `History of ${jobName}` }).waitFor();
  await newRow.waitFor();
  const otherJobs = await page.locator(`[data-testid="session-row"]:not([data-job="${jobName}"])`).count();
  check(otherJobs === 0, `the history of ${jobName} shows ${otherJobs} session(s) of other jobs`);
  log(`history view of ${jobName} shows the new session`);

  check(problems.length === 0, `the page reported problems:\n  ${problems.join('\n  ')}`);
  log('PASS');
  exitCode = 0;
} catch (error) {
  console.error(`FAIL: ${error.message}`);
  if (problems.length && !error.message.includes(problems[0])) console.error(`  page problems:\n  ${problems.join('\n  ')}`);
} finally {
  await context.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
process.exit(exitCode);
