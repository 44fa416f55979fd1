// « Je donne mon avis » widget: the satisfaction question inline, then the optional questions in
// place. No dependency, no cookie, no storage, no global but `JeDonneMonAvis`; styles live in a
// shadow root and nothing here may throw into the host page.
(function () {
  "use strict";

  var TEXT = {
    fr: {
      title: "Je donne mon avis",
      question: "De façon générale, comment ça s'est passé ?",
      bad: "Pas bien", medium: "Moyen", good: "Très bien",
      send: "Envoyer",
      thanks: "Merci pour votre avis !",
      pick: "Choisissez une réponse avant d'envoyer.",
      failed: "L'envoi a échoué. Vérifiez votre connexion puis réessayez.",
      retry: "Réessayer",
      closed: "Ce questionnaire n'est plus disponible.",
      trap: "Ne remplissez pas ce champ",
      checking: "Vérification que vous n'êtes pas un robot, quelques secondes…",
      preview: "Aperçu : rien n'est envoyé.",
    },
    en: {
      title: "Give my feedback",
      question: "Overall, how did it go?",
      bad: "Not well", medium: "So-so", good: "Very well",
      send: "Send",
      thanks: "Thank you for your feedback!",
      pick: "Choose an answer before sending.",
      failed: "Sending failed. Check your connection and try again.",
      retry: "Try again",
      closed: "This questionnaire is no longer available.",
      trap: "Leave this field empty",
      checking: "Checking you are not a robot, a few seconds…",
      preview: "Preview: nothing is sent.",
    },
  };


  // Faces drawn with a few strokes: frowning, neutral, smiling.
  var MOUTHS = { bad: "M8 17q4-4 8 0", medium: "M8 16h8", good: "M8 14q4 4 8 0" };

  var CSS =
    ":host{all:initial;display:block;font-family:Marianne,Arial,sans-serif;font-size:16px;line-height:1.5;" +
    "--fg:#161616;--muted:#3a3a3a;--bg:#fff;--line:#929292;--accent:#000091;--accent-fg:#fff;--soft:#f5f5fe;--error:#ce0500}" +
    ":host([data-theme=dark]){--fg:#cecece;--muted:#cecece;--bg:#161616;--line:#6a6a6a;--accent:#8585f6;--accent-fg:#161616;--soft:#1b1b35;--error:#ff5655}" +
    "@media (prefers-color-scheme:dark){:host(:not([data-theme=light])){--fg:#cecece;--muted:#cecece;--bg:#161616;--line:#6a6a6a;--accent:#8585f6;--accent-fg:#161616;--soft:#1b1b35;--error:#ff5655}}" +
    ".box{color:var(--fg);background:var(--bg);border:1px solid var(--line);border-radius:4px;padding:1rem;max-width:40rem;box-sizing:border-box}" +
    "*{box-sizing:border-box}fieldset{border:0;margin:0 0 1rem;padding:0;min-width:0}" +
    "legend,h2{font-size:1.125rem;font-weight:700;margin:0 0 .75rem;padding:0;color:var(--fg)}h2:focus,legend:focus{outline:none}" +
    ".faces{display:flex;flex-wrap:wrap;gap:.5rem}.faces label{flex:1 1 6rem}" +
    ".opt{display:flex;flex-wrap:wrap;gap:.5rem}.opt label{flex:0 1 auto}.col{flex-direction:column}" +
    "input[type=radio],input[type=checkbox]{position:absolute;opacity:0;width:1px;height:1px;margin:0}" +
    "label>span{display:flex;align-items:center;gap:.5rem;min-height:2.75rem;padding:.5rem .75rem;border:1px solid var(--line);border-radius:4px;cursor:pointer;color:var(--fg)}" +
    ".faces label>span{flex-direction:column;justify-content:center;text-align:center}" +
    "label>span:hover{background:var(--soft)}" +
    "input:checked+span{border:2px solid var(--accent);background:var(--soft);font-weight:700}" +
    "input:focus-visible+span,button:focus-visible,textarea:focus-visible,input[type=text]:focus-visible,input[type=email]:focus-visible{outline:2px solid #0a76f6;outline-offset:2px}" +
    "svg{width:2rem;height:2rem;fill:none;stroke:currentColor;stroke-width:1.5;stroke-linecap:round}" +
    ".row{display:flex;flex-wrap:wrap;gap:.75rem;align-items:center}" +
    "button{font:inherit;min-height:2.75rem;padding:.5rem 1.25rem;border-radius:4px;cursor:pointer;border:1px solid var(--accent);background:var(--accent);color:var(--accent-fg)}" +
    "button.link{background:none;color:var(--accent);border-color:transparent;text-decoration:underline}" +
    "button[disabled]{opacity:.6;cursor:wait}" +
    ".stack{display:flex;flex-direction:column;gap:.25rem}" +
    "textarea,input[type=text],input[type=email]{font:inherit;width:100%;padding:.5rem;border:1px solid var(--line);border-radius:4px;background:var(--bg);color:var(--fg)}" +
    "textarea{min-height:6rem;resize:vertical}p{margin:0 0 .75rem}.hint{color:var(--muted);font-size:.875rem}" +
    ".trap{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}" +
    ".msg:empty{display:none}.msg{margin:.75rem 0 0;font-weight:700}.error{color:var(--error)}";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    for (var key in attrs || {}) {
      if (attrs[key] === true) node.setAttribute(key, "");
      else if (attrs[key] != null && attrs[key] !== false) node.setAttribute(key, attrs[key]);
    }
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  function face(value) {
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    ["M12 2.5a9.5 9.5 0 1 0 0 19a9.5 9.5 0 1 0 0-19", "M9 9.5v.5M15 9.5v.5", MOUTHS[value]].forEach(function (d) {
      var path = document.createElementNS("http://www.w3.org/2000/svg", "path");
      path.setAttribute("d", d);
      svg.appendChild(path);
    });
    return svg;
  }

  // A choice: a real radio button or checkbox with its visible label.
  function choice(type, name, value, label, extra) {
    return el("label", {}, [
      el("input", { type: type, name: name, value: value }),
      el("span", {}, (extra ? [extra] : []).concat([label])),
    ]);
  }

  function styles(root, base) {
    try {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(CSS);
      root.adoptedStyleSheets = [sheet];
    } catch (e) {
      // Browsers without constructable stylesheets get the same rules as a file.
      root.appendChild(el("link", { rel: "stylesheet", href: base + "/widget.css" }));
    }
  }

  function mount(script, options) {
    var button = options.button;
    if (!button || options.mounted) return;
    var base = options.base;
    var lang = (options.lang || document.documentElement.lang || "fr").slice(0, 2).toLowerCase();
    if (!TEXT[lang]) lang = "fr";
    var t = TEXT[lang];
    var host = options.container && document.querySelector(options.container);
    if (!host) {
      host = el("div");
      script.parentNode.insertBefore(host, script.nextSibling);
    }
    if (host.getAttribute("data-avis-mounted")) return;
    host.setAttribute("data-avis-mounted", "1");
    if (options.theme) host.setAttribute("data-theme", options.theme);
    var root = host.attachShadow({ mode: "open" });
    styles(root, base);
    var box = el("section", { class: "box", lang: lang, "aria-label": t.title });
    var message = el("p", { class: "msg", role: "status", "aria-live": "polite" });
    root.appendChild(box);

    var review = null; // {id, token} once created
    var sending = false;
    var questionnaire = null;

    function say(text, isError) {
      message.className = "msg" + (isError ? " error" : "");
      message.textContent = text;
    }

    function show(nodes, focus) {
      box.textContent = "";
      nodes.concat([message]).forEach(function (n) { box.appendChild(n); });
      if (focus) {
        focus.setAttribute("tabindex", "-1");
        focus.focus({ preventScroll: true });
      }
    }

    // Loads one of the widget's other scripts once; `ready` runs when it is there (or not).
    function load(name, ready) {
      var script = el("script", { src: base + "/" + name, async: true });
      script.onload = script.onerror = ready;
      document.head.appendChild(script);
    }

    function request(method, path, body, keepalive) {
      var headers = { "Content-Type": "text/plain;charset=UTF-8" };
      if (review) headers.Authorization = "Bearer " + review.token;
      return fetch(base + path, {
        method: method,
        headers: headers,
        body: JSON.stringify(body),
        keepalive: !!keepalive,
        credentials: "omit",
        mode: "cors",
      }).then(function (response) {
        if (response.status === 410 || response.status === 404) throw { closed: true };
        if (response.ok) return response.json();
        return response.json().then(function (problem) {
          throw { status: response.status, code: problem.code };
        }, function () {
          throw { status: response.status };
        });
      }).catch(function (problem) {
        // A button under attack wants a proof of work: solve one, then send again, once.
        if (keepalive || body.altcha || !/^proof_of_work/.test(problem && problem.code)) throw problem;
        say(t.checking);
        return new Promise(function (resolve) {
          if (window.JeDonneMonAvis.proof) resolve();
          else load("widget-proof.js", resolve);
        }).then(function () {
          return window.JeDonneMonAvis.proof(base, button);
        }).then(function (proof) {
          body.altcha = proof;
          return request(method, path, body);
        });
      });
    }

    // Sends, shows a retry on failure, and resolves only once it went through.
    function send(submit, method, path, body, done) {
      if (sending) return;
      sending = true;
      submit.disabled = true;
      say("");
      request(method, path, body).then(
        function (result) {
          sending = false;
          done(result);
        },
        function (problem) {
          sending = false;
          submit.disabled = false;
          if (problem && problem.closed) return say(t.closed, true);
          say(t.failed, true);
          submit.textContent = t.retry;
        }
      );
    }

    function rating(form) {
      var checked = form.querySelector("input[name=satisfaction]:checked");
      return checked && checked.value;
    }

    // A field people never see: a robot filling every field gives itself away.
    var trap = el("input", { type: "text", name: "website", tabindex: "-1", autocomplete: "off", "aria-label": t.trap });

    function create(value) {
      var body = { button_id: button, answers: { satisfaction: value } };
      if (trap.value) body.website = trap.value;
      return body;
    }

    // Step one: the satisfaction question.
    var first = el("form", { novalidate: true }, [
      el("fieldset", {}, [
        el("legend", {}, [t.question]),
        el("div", { class: "faces" }, ["bad", "medium", "good"].map(function (v) {
          return choice("radio", "satisfaction", v, t[v], face(v));
        })),
      ]),
    ]);
    var firstSubmit = el("button", { type: "submit" }, [t.send]);
    first.appendChild(el("div", { class: "trap" }, [trap]));
    first.appendChild(firstSubmit);
    first.addEventListener("submit", function (event) {
      event.preventDefault();
      var value = rating(first);
      if (!value) return say(t.pick, true);
      // A preview (data-preview, as in the back-office) shows the question and sends nothing.
      if (options.preview) return say(t.preview);
      send(firstSubmit, "POST", "/api/v1/reviews", create(value), function (created) {
        review = { id: created.id, token: created.edit_token };
        followUp();
      });
    });
    show([first]);

    // A rating chosen but not sent yet is flushed when the page goes away.
    function flush(event) {
      try {
        var value = rating(first);
        var leaving = event.type === "pagehide" || document.visibilityState === "hidden";
        if (review || sending || !value || !leaving || options.preview) return;
        sending = true;
        request("POST", "/api/v1/reviews", create(value), true).catch(function () {});
      } catch (e) { /* never into the host page */ }
    }
    document.addEventListener("visibilitychange", flush);
    window.addEventListener("pagehide", flush);

    function thanks() {
      var heading = el("h2", {}, [t.thanks]);
      show([heading], heading);
    }

    // The optional questions load only once a citizen has answered the first one.
    function followUp() {
      var context = {
        el: el, choice: choice, show: show, send: send, say: say, thanks: thanks, lang: lang, base: base,
        button: button, review: review,
      };
      var namespace = window.JeDonneMonAvis;
      if (namespace.steps) return namespace.steps(context);
      load("widget-steps.js", function () {
        try { namespace.steps ? namespace.steps(context) : thanks(); } catch (e) { thanks(); }
      });
    }
  }
  function start() {
    var scripts = document.querySelectorAll("script[data-button]");
    for (var i = 0; i < scripts.length; i++) {
      var script = scripts[i];
      if (!/\/widget(\.[\w-]+)?\.js(\?|$)/.test(script.src) || script.getAttribute("data-avis-mounted")) continue;
      script.setAttribute("data-avis-mounted", "1");
      mount(script, {
        button: script.getAttribute("data-button"),
        container: script.getAttribute("data-container"),
        lang: script.getAttribute("data-lang"),
        theme: script.getAttribute("data-theme"),
        preview: script.hasAttribute("data-preview"),
        base: new URL(script.src, location.href).origin,
      });
    }
  }

  try {
    window.JeDonneMonAvis = window.JeDonneMonAvis || {
      // For pages that add a tag after loading: mounts every tag not mounted yet.
      scan: function () { try { start(); } catch (e) { /* never into the host page */ } },
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", window.JeDonneMonAvis.scan);
    else start();
  } catch (e) {
    /* never into the host page */
  }
})();
