// Opens the LMGate dashboard in Debian's headless Chromium and prints what a person would see, as
// one JSON object on stdout; DashboardBrowserTest asserts on it.
// Usage: node dashboard-check.mjs <base url> <token> <screenshot dir>
import { chromium } from 'playwright-core';

const [base, token, shots] = process.argv.slice(2);
const result = { console: [], pageErrors: [], failedRequests: [] };
let phase = 'start';
let closing = false; // the poll in flight when the page closes is aborted: not a failure

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
});
try {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1100 } });
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') {
      result.console.push(`${m.type()}: ${m.text()}`);
    }
  });
  page.on('pageerror', (e) => result.pageErrors.push(String(e)));
  page.on('requestfailed', (r) => {
    if (!closing) { result.failedRequests.push(`${r.url()} ${r.failure()?.errorText} (${phase})`); }
  });

  // Without the token: the login form, and the data refused.
  const first = await page.goto(`${base}ui`);
  result.unauthenticatedStatus = first.status();
  result.loginFormShown = await page.locator('#login-form').isVisible();
  result.apiWithoutToken = await page.evaluate(async () => {
    const r = await fetch('/ui/api/summary?range=hour');
    await r.text(); // read whole, or leaving the page aborts it
    return r.status;
  });

  phase = 'wrong token';
  // A wrong token: refused, still the form.
  await page.fill('#token', 'not-the-right-token-at-all');
  const refused = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/ui/login')),
    page.click('#login-button'),
  ]);
  result.wrongTokenStatus = refused[0].status();
  await page.waitForLoadState('load');
  result.wrongTokenMessage = await page.locator('#login-error').textContent({ timeout: 5000 })
    .catch(async () => `no message; page: ${(await page.content()).slice(0, 400)}`);
  result.console = result.console.filter((c) => !c.includes('401')); // the refusals above

  phase = 'login';
  // The right token: the dashboard.
  await page.fill('#token', token);
  await Promise.all([page.waitForURL(`${base}ui`), page.click('#login-button')]);
  const started = Date.now();
  await page.waitForSelector('body[data-loaded="hour:owner"]');
  await page.waitForFunction(() => document.getElementById('history').dataset.state === 'done');
  result.loadMillis = Date.now() - started;
  result.cookie = (await context.cookies()).map((c) => ({
    name: c.name, httpOnly: c.httpOnly, sameSite: c.sameSite, path: c.path,
    valueIsToken: c.value === token,
  }));

  const read = async () => page.evaluate(() => {
    const text = (id) => document.getElementById(id).textContent;
    const rows = (id) => Array.from(document.querySelectorAll(`#${id} tbody tr`)).map(
      (tr) => Array.from(tr.cells).map((c) => c.textContent));
    return {
      tiles: {
        requests: text('t-requests'), cost: text('t-cost'), input: text('t-input'),
        output: text('t-output'), cache: text('t-cache'), errors: text('t-errors'),
        errorRate: text('t-error-rate'), refusals: text('t-refusals'),
        refusalRate: text('t-refusal-rate'), inflight: text('t-inflight'),
      },
      groups: rows('groups').map((r) => r.slice(1)),
      spenders: rows('spenders').map((r) => r.slice(0, 4)),
      errorTypes: rows('error-types'),
      latency: rows('latency'),
      usageBars: document.querySelectorAll('#usage-chart rect').length,
      errorBars: document.querySelectorAll('#errors-chart rect').length,
      title: text('usage-title'),
    };
  });

  phase = 'hour';
  result.hour = await read();
  await page.screenshot({ path: `${shots}/ui-hour.png`, fullPage: true });

  phase = 'day';
  await page.click('#ranges button[data-range="day"]');
  await page.waitForSelector('body[data-loaded="day:owner"]');
  result.day = await read();

  await page.click('#ranges button[data-range="month"]');
  await page.waitForSelector('body[data-loaded="month:owner"]');
  await page.selectOption('#by', 'model');
  await page.waitForSelector('body[data-loaded="month:model"]');
  result.monthByModel = await read();
  await page.screenshot({ path: `${shots}/ui-month-by-model.png`, fullPage: true });
  closing = true;
  await page.close();
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result) + '\n');
