import { browserTestsEnabled, startWebHarness, type WebHarness } from './browser-harness';

const describeBrowser = browserTestsEnabled ? describe : describe.skip;

describeBrowser('pages in Chromium: sign-in', () => {
  let web: WebHarness;
  beforeAll(async () => {
    web = await startWebHarness();
  }, 15 * 60_000);
  afterAll(async () => {
    await web?.close();
  });

  it.each(['purchases', 'admin', 'checkout'] as const)('/web/%s without a credential says how to sign in, and the API said 401', async (name) => {
    const { page } = await web.open(null, name);
    await page.getByRole('alert').getByText('Sign-in needed').waitFor();
    const res = await page.evaluate(async () => (await fetch('/api/web/me')).status);
    expect(res).toBe(401);
  });

  it('the link is taken out of the address bar and kept for the tab session only', async () => {
    const { page, problems } = await web.open('megan', 'purchases');
    expect(page.url()).not.toContain('link=');
    await page.reload();
    await page.waitForSelector('#app[aria-busy="false"]');
    await page.getByText('Megan Bowen').first().waitFor();
    expect(problems).toEqual([]);
  });
});
