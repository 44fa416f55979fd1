// The optional questions of the « Je donne mon avis » widget, loaded after the first answer.
// Labels come from the server's questionnaire, in the citizen's language.
(function () {
  "use strict";

  var TEXT = {
    fr: {
      next: "Suivant", skip: "Passer cette question", send: "Envoyer",
      more: "Merci ! Quelques questions facultatives pour aller plus loin :",
      other: "Précisez", yes: "Oui", no: "Non", count: "{n} caractères restants",
      consent: "Cochez la case pour accepter d'être recontacté, ou effacez l'adresse.",
    },
    en: {
      next: "Next", skip: "Skip this question", send: "Send",
      more: "Thank you! A few optional questions to go further:",
      other: "Please specify", yes: "Yes", no: "No", count: "{n} characters left",
      consent: "Tick the box to agree to be contacted back, or clear the address.",
    },
  };

  var ADMIN_CHANNELS = ["counter", "phone", "email", "chat"];

  function steps(context) {
    var el = context.el, choice = context.choice, show = context.show, send = context.send;
    var thanks = context.thanks, review = context.review;
    var t = TEXT[context.lang] || TEXT.fr;
    var questionnaire = null;
    var intro = el("p", {}, [t.more]);

    function question(code) {
      return questionnaire.questions.filter(function (q) { return q.code === code; })[0];
    }

    function channelLabel(code) {
      var found = question("contact_tried").options.filter(function (o) { return o.value === code; })[0];
      return found ? found.label : code;
    }

    // A step: a form whose `collect` returns the answers to send, or null to send nothing.
    function step(legend, fields, collect, next, last) {
      var form = el("form", { novalidate: true });
      var heading = el("legend", {}, [legend]);
      form.appendChild(el("fieldset", {}, [heading].concat(fields)));
      var submit = el("button", { type: "submit" }, [last ? t.send : t.next]);
      var skip = el("button", { type: "button", class: "link" }, [t.skip]);
      form.appendChild(el("div", { class: "row" }, [submit, skip]));
      skip.addEventListener("click", next);
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var answers = collect(form);
        if (answers === false) return;
        if (!answers) return next();
        send(submit, "PATCH", "/api/v1/reviews/" + review.id, { answers: answers }, next);
      });
      show(intro ? [intro, form] : [form], heading);
      intro = null;
    }

    function checked(form, name) {
      return Array.prototype.map.call(form.querySelectorAll("input[name='" + name + "']:checked"), function (i) { return i.value; });
    }

    function scale(code, name) {
      return el("div", { class: "opt" }, question(code).options.map(function (o) {
        return choice("radio", name, o.value, o.value + " – " + o.label);
      }));
    }

    var tried = [];
    var reachedYes = [];


    function clarity() {
      var q = question("comprehension");
      step(q.label, [scale("comprehension", "comprehension")], function (form) {
        var v = checked(form, "comprehension")[0];
        return v ? { comprehension: +v } : null;
      }, help);
    }

    function help() {
      var q = question("contact_tried");
      var other = el("input", { type: "text", name: "other", maxlength: 250, "aria-label": t.other, hidden: true });
      var boxes = el("div", { class: "opt col" }, q.options.map(function (o) { return choice("checkbox", "tried", o.value, o.label); }));
      boxes.addEventListener("change", function (event) {
        var target = event.target;
        boxes.querySelectorAll("input").forEach(function (input) {
          // "I did not need help" excludes every other answer, and the other way round.
          if (target.checked && input !== target && (target.value === "none" || input.value === "none")) input.checked = false;
        });
        other.hidden = !boxes.querySelector("input[value=other]:checked");
      });
      step(q.label, [boxes, other], function (form) {
        tried = checked(form, "tried");
        if (!tried.length) return null;
        var answers = { contact_tried: tried };
        if (tried.indexOf("other") >= 0 && other.value.trim()) answers.contact_tried_other = other.value;
        return answers;
      }, reached);
    }

    function perChannel(channels, code, name, make) {
      return channels.map(function (channel) {
        return el("fieldset", {}, [el("legend", {}, [channelLabel(channel)]), make(channel, name + "-" + channel)]);
      });
    }

    function answersFor(form, channels, name, toValue) {
      var out = {};
      channels.forEach(function (channel) {
        var v = checked(form, name + "-" + channel)[0];
        if (v) out[channel] = toValue(v);
      });
      return Object.keys(out).length ? out : null;
    }

    function reached() {
      var channels = tried.filter(function (c) { return ADMIN_CHANNELS.indexOf(c) >= 0; });
      if (!channels.length) return comment();
      step(question("contact_reached").label, perChannel(channels, "contact_reached", "reached", function (channel, name) {
        return el("div", { class: "opt" }, [choice("radio", name, "yes", t.yes), choice("radio", name, "no", t.no)]);
      }), function (form) {
        var answers = answersFor(form, channels, "reached", String);
        reachedYes = channels.filter(function (c) { return answers && answers[c] === "yes"; });
        return answers && { contact_reached: answers };
      }, quality);
    }

    function quality() {
      if (!reachedYes.length) return comment();
      step(question("contact_satisfaction").label, perChannel(reachedYes, "contact_satisfaction", "quality", function (channel, name) {
        return scale("contact_satisfaction", name);
      }), function (form) {
        var answers = answersFor(form, reachedYes, "quality", Number);
        return answers && { contact_satisfaction: answers };
      }, comment);
    }

    function comment() {
      var q = question("verbatim");
      var hint = el("p", { class: "hint", id: "avis-hint" }, [questionnaire.intro]);
      var left = el("p", { class: "hint", "aria-live": "polite" });
      var area = el("textarea", { name: "verbatim", maxlength: q.max_length, "aria-describedby": "avis-hint", "aria-label": q.label });
      area.addEventListener("input", function () {
        var n = q.max_length - area.value.length;
        left.textContent = n < 500 ? t.count.replace("{n}", n) : "";
      });
      var fields = [hint, area, left];
      var offered = question("contact_email");
      var email = null;
      if (offered) {
        email = el("input", { type: "email", name: "contact_email", autocomplete: "email", maxlength: offered.max_length });
        fields.push(el("p", {}, [el("label", { class: "stack" }, [offered.label, email])]));
        fields.push(el("div", { class: "opt" }, [choice("checkbox", "contact_consent", "yes", offered.consent)]));
      }
      step(q.label, fields, function (form) {
        var answers = {};
        if (area.value.trim()) answers.verbatim = area.value;
        if (email && email.value.trim()) {
          var consent = form.querySelector("input[name=contact_consent]").checked;
          // Without consent the address may not be kept: ask before sending anything.
          if (!consent) return context.say(t.consent, true), false;
          answers.contact_email = email.value;
          answers.contact_consent = true;
        }
        return Object.keys(answers).length ? answers : null;
      }, thanks, true);
    }

    var url = context.base + "/api/v1/buttons/" + context.button + "/questionnaire?lang=" + context.lang;
    fetch(url, { credentials: "omit" })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(); })
      .then(function (q) { questionnaire = q; clarity(); })
      .catch(thanks);
  }

  try {
    window.JeDonneMonAvis.steps = steps;
  } catch (e) {
    /* never into the host page */
  }
})();
