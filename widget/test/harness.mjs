// Starts the real avis binary and a separate host site on loopback, and drives Debian's
// Chromium through playwright-core. Used by the browser tests only.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
const binary = process.env.AVIS_BIN || join(root, "target", "debug", "avis");
export const shots = join(root, "widget", "test-results");
mkdirSync(shots, { recursive: true });

/** A loopback port free at the time of asking, for a server whose URL must be known before it starts. */
export async function freePort() {
  const server = createServer();
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", resolve);
  });
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * Starts `avis serve` over a new SQLite file; resolves once it listens. It listens on `port`
 * (a free one by default), with `args` added to the command line and `env` to its environment.
 * `firstAccount` resolves to the link to the instance's first account that it prints on stdout.
 */
export async function startAvis({ args = [], port = 0, env: extraEnv = {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "avis-browser-"));
  const env = {
    ...process.env,
    AVIS_DATABASE_URL: join(dir, "avis.db"),
    AVIS_FORM_SECRET: "browser tests",
    ...extraEnv,
  };
  const child = spawn(binary, ["serve", "--listen", `127.0.0.1:${port}`, "--log-format", "json", "--demo", ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  // The last lines of its log, kept whole, for failure messages.
  const logLines = [""];
  child.stderr.on("data", (chunk) => {
    const [rest, ...more] = String(chunk).split("\n");
    logLines[logLines.length - 1] += rest;
    logLines.push(...more);
    if (logLines.length > 500) logLines.splice(0, logLines.length - 500);
  });
  const stderrTail = () => logLines.join("\n").slice(-4000);
  const firstAccount = new Promise((resolve, reject) => {
    let printed = "";
    const timer = setTimeout(() => reject(new Error("avis printed no first-account link within 20 s")), 20_000);
    timer.unref();
    child.stdout.on("data", (chunk) => {
      printed += chunk;
      const link = printed.match(/^\s*(http\S+\/admin\/invitations\/\S+)\s*$/m);
      if (link) {
        clearTimeout(timer);
        resolve(link[1]);
      }
    });
  });
  firstAccount.catch(() => {});
  const listening = await new Promise((resolve, reject) => {
    let buffer = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`avis did not start within 20 s\n${stderrTail()}`));
    }, 20_000);
    child.stderr.on("data", (chunk) => {
      buffer += chunk;
      for (const line of buffer.split("\n")) {
        try {
          const event = JSON.parse(line);
          if (event.message === "avis is serving") {
            clearTimeout(timer);
            resolve(event.port);
          }
        } catch {
          /* not a whole line yet */
        }
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`avis exited with ${code}\n${stderrTail()}`));
    });
  });
  const cli = (...args) => execFileSync(binary, args, { env, encoding: "utf8", timeout: 20_000 }).trim();
  const base = `http://127.0.0.1:${listening}`;
  const adminKey = cli("keys", "create", "--scope", "admin");
  const organisation = cli("organisations", "create", "--name", `Organisation ${listening}`);
  return {
    base,
    cli,
    adminKey,
    firstAccount,
    organisation,
    /** An invitation link from `avis users invite`, e.g. `invite("a@b.fr", "--superadmin")`. */
    invite(email, ...grant) {
      const options = { env: { ...env, AVIS_PUBLIC_URL: base }, encoding: "utf8", timeout: 20_000 };
      return execFileSync(binary, ["users", "invite", "--email", email, ...grant], options).trim();
    },
    /** A new procedure with one button allowing `origin`; returns their ids. */
    button(origin, { contactEmail = false, proofOfWork = false } = {}) {
      const procedure = cli("procedures", "create", "--organisation", organisation, "--title", "Demande de carte grise");
      const extra = [...(contactEmail ? ["--contact-email"] : []), ...(proofOfWork ? ["--proof-of-work"] : [])];
      const button = cli("buttons", "create", "--procedure", procedure, "--label", "Fin de démarche", "--origin", origin, ...extra);
      return { procedure, button };
    },
    async api(path) {
      const response = await fetch(base + path, { headers: { Authorization: `Bearer ${adminKey}` } });
      if (!response.ok) throw new Error(`${path}: ${response.status}`);
      return response.json();
    },
    /** The last lines avis wrote on its standard error (its log). */
    log: () => logLines.join("\n"),
    stop() {
      child.kill("SIGTERM");
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Serves host pages from another origin: `/page?button=…&csp=1`, `/host.js`, `/host.css`, and
 * any page given whole to `serve(path, html)`.
 */
export async function startHost(avisBase) {
  const pages = new Map();
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://host");
    if (pages.has(url.pathname)) {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
      return res.end(pages.get(url.pathname));
    }
    if (url.pathname === "/host.js") {
      res.writeHead(200, { "Content-Type": "text/javascript" });
      return res.end(
        "window.__violations = []; window.__before = Object.keys(window);" +
          "document.addEventListener('securitypolicyviolation', function (e) { window.__violations.push(e.violatedDirective + ' ' + e.blockedURI); });" +
          "window.hostCounter = 0; document.addEventListener('DOMContentLoaded', function () {" +
          "document.getElementById('host-button').addEventListener('click', function () { window.hostCounter++; }); });",
      );
    }
    if (url.pathname === "/host.css") {
      res.writeHead(200, { "Content-Type": "text/css" });
      return res.end("h1{color:rgb(10,20,30);font-size:40px} label{color:rgb(200,0,0)} button{background:rgb(0,128,0)} body{font-family:serif}");
    }
    const button = url.searchParams.get("button");
    const lang = url.searchParams.get("lang") || "fr";
    const headers = { "Content-Type": "text/html; charset=utf-8" };
    if (url.searchParams.get("csp")) {
      headers["Content-Security-Policy"] =
        `default-src 'none'; script-src 'self' ${avisBase}; connect-src ${avisBase}; style-src 'self'; img-src 'self'`;
    }
    res.writeHead(200, headers);
    res.end(`<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Démarche terminée</title><link rel="stylesheet" href="/host.css"><script src="/host.js"></script></head>
<body><main><h1>Votre demande est enregistrée</h1><label>Étiquette de la page</label>
<button id="host-button" type="button">Bouton de la page</button>
<div id="avis"></div>
<script src="${avisBase}/widget.js" data-button="${button}" data-container="#avis" async></script></main></body></html>`);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    serve: (path, html) => pages.set(path, html),
    stop: () => server.close(),
  };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync",
    ],
  });
}

const axeSource = readFileSync(join(root, "widget", "node_modules", "axe-core", "axe.min.js"), "utf8");

/** WCAG 2.1 A and AA violations within `selector` (the whole page by default), shadow roots included. */
export async function violations(page, selector) {
  await page.evaluate(axeSource);
  return page.evaluate(async (selector) => {
    const result = await window.axe.run(selector ? document.querySelector(selector) : document, {
      runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] },
    });
    return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(", ")}`);
  }, selector);
}

/**
 * Presses Tab (Shift+Tab with `backwards`) until the focused element (through shadow roots) has
 * the wanted tag, value, text or name attribute.
 */
export async function tabTo(page, wanted) {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press(wanted.backwards ? "Shift+Tab" : "Tab");
    const found = await page.evaluate(({ tag, value, text, name }) => {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      return (
        !!el &&
        (tag === undefined || el.tagName === tag) &&
        (value === undefined || el.value === value) &&
        (text === undefined || el.textContent.trim() === text) &&
        (name === undefined || el.getAttribute("name") === name)
      );
    }, wanted);
    if (found) return;
  }
  throw new Error(`could not reach ${JSON.stringify(wanted)} with Tab`);
}
