// The dashboards in a real Chromium: every new page checked by axe-core in light and dark, at
// 320 px and wide; an agent's keyboard-only path from the procedure list to a dashboard, its
// window form and a chart's data table; and the charts drawn with JavaScript turned off.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { launch, shots, startAvis, tabTo, violations } from "./harness.mjs";

const PASSWORD = "une phrase de passe assez longue";
const ORIGIN = "https://www.example.gouv.fr";
const EMAIL = "nadia.roux@exemple.gouv.fr";

let avis, browser, procedure, button, organisation;

/** Sends one review through the API as a citizen would, its optional answers included. */
async function review(n) {
  const agent = { "Content-Type": "application/json", "User-Agent": `citizen-${n}-${Date.now()}` };
  const satisfaction = ["good", "good", "medium", "bad", "good"][n % 5];
  const created = await fetch(`${avis.base}/api/v1/reviews`, {
    method: "POST",
    headers: agent,
    body: JSON.stringify({ button_id: button, answers: { satisfaction } }),
  });
  assert.equal(created.status, 201, await created.clone().text());
  const { id, edit_token } = await created.json();
  const answers =
    n % 3 === 0
      ? { comprehension: 1 + (n % 5), contact_tried: ["none"] }
      : {
          comprehension: 1 + (n % 5),
          contact_tried: ["phone", "email"],
          contact_reached: { phone: "yes", email: n % 2 ? "yes" : "no" },
          contact_satisfaction: { phone: 1 + (n % 5), ...(n % 2 ? { email: 4 } : {}) },
          verbatim: `Commentaire privé numéro ${n}`,
        };
  const updated = await fetch(`${avis.base}/api/v1/reviews/${id}`, {
    method: "PATCH",
    headers: { ...agent, Authorization: `Bearer ${edit_token}` },
    body: JSON.stringify({ answers }),
  });
  assert.equal(updated.status, 200, await updated.clone().text());
}

before(async () => {
  avis = await startAvis({ args: ["--rate-limit-exempt", "127.0.0.0/8", "--burst-per-minute", "100000"] });
  browser = await launch();
  organisation = avis.organisation;
  ({ procedure, button } = avis.button(ORIGIN));
  const made = await fetch(`${avis.base}/api/v1/procedures/${procedure}`, {
    method: "PATCH",
    headers: { Authorization: `Bearer ${avis.adminKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ is_public: true, is_essential: true }),
  });
  assert.equal(made.status, 200, await made.clone().text());
  for (let n = 0; n < 24; n++) await review(n);
  const { context, page } = await open();
  await page.goto(avis.invite(EMAIL, "--superadmin"));
  await page.getByLabel("Nom affiché").fill("Nadia Roux");
  await page.getByLabel("Nouveau mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Créer mon compte" }).click();
  await page.waitForURL(`${avis.base}/admin/`);
  await context.close();
});

after(async () => {
  await browser?.close();
  avis?.stop();
});

/** A new context (options as Playwright takes them), with the page's script errors collected. */
async function open(options = {}) {
  const context = await browser.newContext({ locale: "fr-FR", ...options });
  context.setDefaultTimeout(10_000);
  context.setDefaultNavigationTimeout(15_000);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  return { context, page, errors };
}

/** Signs in through the form (which works without script). */
async function signIn(page) {
  await page.goto(`${avis.base}/admin/login`);
  await page.getByLabel("Adresse e-mail").fill(EMAIL);
  await page.getByLabel("Mot de passe").fill(PASSWORD);
  await page.getByRole("button", { name: "Se connecter" }).click();
  await page.waitForURL(`${avis.base}/admin/`);
}

/** Every chart of the page: its role, its names for screen readers, its size and its bars. */
async function charts(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll("svg.chart")].map((svg) => {
      const names = (svg.getAttribute("aria-labelledby") || "").split(" ").map((id) => document.getElementById(id));
      const box = svg.getBoundingClientRect();
      return {
        id: svg.id,
        role: svg.getAttribute("role"),
        title: names[0]?.tagName === "title" ? names[0].textContent : null,
        desc: names[1]?.tagName === "desc" ? names[1].textContent : null,
        width: box.width,
        height: box.height,
        bars: svg.querySelectorAll("rect.bar").length,
      };
    }),
  );
}

describe("the dashboards", () => {
  test("every dashboard page has no WCAG 2.1 A or AA violation, in light and dark, at 320 px and wide", async () => {
    const dashboard = `${avis.base}/admin/procedures/${procedure}`;
    const pages = [
      ["dashboard", dashboard],
      ["dashboard-3m-day-button", `${dashboard}?window=3m&interval=day&button=${button}`],
      ["dashboard-dates", `${dashboard}?window=custom&from=2025-01-01&to=2026-12-31`],
      ["dashboard-error", `${dashboard}?window=5x`, 400],
      ["organisation", `${avis.base}/admin/organisations/${organisation}?sort=satisfaction&dir=desc`],
      ["observatory", `${avis.base}/admin/observatory?window=3m`],
      ["public", `${avis.base}/p/${procedure}`],
      ["public-en", `${avis.base}/p/${procedure}?lang=en&window=3m`],
      ["public-missing", `${avis.base}/p/00000000-0000-0000-0000-000000000000`, 404],
    ];
    const problems = [];
    for (const [variant, options] of [
      ["light", {}],
      ["light-320", { viewport: { width: 320, height: 640 } }],
      ["dark", { colorScheme: "dark" }],
      ["dark-320", { colorScheme: "dark", viewport: { width: 320, height: 640 } }],
    ]) {
      const { context, page, errors } = await open(options);
      await signIn(page);
      for (const [name, url, status = 200] of pages) {
        const where = `${name} (${variant})`;
        const response = await page.goto(url);
        if (response.status() !== status) problems.push(`${where}: ${response.status()}`);
        // The data tables folded under each chart are checked open.
        await page.evaluate(() => document.querySelectorAll("details").forEach((d) => (d.open = true)));
        for (const v of await violations(page)) problems.push(`${where}: ${v}`);
        const ids = await page.evaluate(() => [...document.querySelectorAll("[id]")].map((el) => el.id));
        for (const id of new Set(ids.filter((id, i) => ids.indexOf(id) !== i))) problems.push(`${where}: id ${id} twice`);
        if (options.viewport) {
          const width = await page.evaluate(() => document.documentElement.scrollWidth);
          if (width > 320) problems.push(`${where}: ${width} px wide`);
        }
        await page.screenshot({ path: join(shots, `dashboard-${variant}-${name}.png`), fullPage: true });
      }
      assert.deepEqual(errors, [], `script errors (${variant})`);
      await context.close();
    }
    assert.deepEqual(problems, []);
  });

  test("an agent goes by keyboard alone from the procedure list to a chart's data table", async () => {
    const { context, page, errors } = await open();
    await signIn(page);
    await tabTo(page, { text: "Demande de carte grise" });
    await page.keyboard.press("Enter");
    await page.waitForURL(`${avis.base}/admin/procedures/${procedure}`);
    await page.getByRole("heading", { level: 1, name: "Demande de carte grise" }).waitFor();

    // The window form: three months, then shown.
    await tabTo(page, { name: "window" });
    await page.keyboard.press("ArrowDown");
    assert.equal(await page.evaluate(() => document.activeElement.value), "3m");
    await tabTo(page, { text: "Afficher" });
    await page.keyboard.press("Enter");
    await page.waitForURL((url) => url.searchParams.get("window") === "3m");
    await page.locator("#indicators").waitFor();

    // The first chart's data table: its summary opens it, then the table's frame takes the focus.
    await tabTo(page, { tag: "SUMMARY" });
    const summary = await page.evaluate(() => document.activeElement.textContent);
    assert.match(summary, /^Voir les données du graphique – Satisfaction dans le temps/);
    const focus = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
    assert.equal(focus, "solid", "the focused summary shows its focus");
    await page.keyboard.press("Enter");
    const table = page.locator("#data-satisfaction");
    await table.waitFor({ state: "visible" });
    await page.keyboard.press("Tab");
    const region = await page.evaluate(() => [document.activeElement.getAttribute("role"), !!document.activeElement.querySelector("#data-satisfaction")]);
    assert.deepEqual(region, ["region", true]);
    const rows = await table.locator("tbody tr").count();
    assert.ok(rows >= 13, `${rows} weeks in three months`);
    const n = await table.locator("tbody tr td.number").allInnerTexts();
    assert.equal(n.reduce((sum, cell) => sum + Number(cell), 0), 24, "every review counted once");

    // The chart's CSV link is next, and answers CSV.
    await tabTo(page, { tag: "A", text: "Télécharger en CSV – Satisfaction dans le temps (par semaine)" });
    const href = await page.evaluate(() => document.activeElement.href);
    assert.match(href, /\/charts\/satisfaction\.csv\?window=3m$/);
    const csv = await context.request.get(href);
    assert.equal(csv.headers()["content-type"], "text/csv; charset=utf-8");
    assert.match(await csv.text(), /^\uFEFFfrom,to,value,n,/);
    await page.screenshot({ path: join(shots, "dashboard-keyboard-table.png"), fullPage: true });
    assert.deepEqual(errors, []);
    await context.close();
  });

  test("charts are drawn and their tables open with JavaScript turned off", async () => {
    const { context, page } = await open({ javaScriptEnabled: false });
    await signIn(page);
    for (const [name, url] of [
      ["dashboard", `${avis.base}/admin/procedures/${procedure}`],
      ["public", `${avis.base}/p/${procedure}`],
    ]) {
      await page.goto(url);
      const drawn = await charts(page);
      assert.ok(drawn.length >= 9, `${name}: ${drawn.length} charts`);
      for (const chart of drawn) {
        assert.equal(chart.role, "img", `${name} ${chart.id}`);
        assert.ok(chart.title && chart.desc, `${name} ${chart.id} is named and described`);
        assert.ok(chart.width > 200 && chart.height > 40, `${name} ${chart.id} is drawn: ${chart.width}×${chart.height}`);
      }
      const satisfaction = drawn.find((c) => c.id === "chart-satisfaction");
      assert.ok(satisfaction.bars >= 1, "the series has its bar");
      const answers = page.locator("#data-questions");
      assert.equal(await answers.isVisible(), false);
      await page.getByText("Voir les données du graphique – Réponses à chaque question").click();
      await answers.waitFor({ state: "visible" });
      const tiles = await page.locator("#tile-satisfaction .big").innerText();
      // 14 « très bien », 5 « moyen », 5 « pas bien »: 165 / 24.
      assert.equal(tiles, "6,88 / 10");
      assert.equal(await page.getByText("Commentaire privé").count(), 0, "no comment anywhere");
      await page.screenshot({ path: join(shots, `dashboard-no-script-${name}.png`), fullPage: true });
    }
    await context.close();
  });
});
