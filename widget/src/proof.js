// Proof of work for the « Je donne mon avis » widget, loaded only when a button under attack asks
// for one. It fetches an ALTCHA (v2) challenge and finds the counter whose PBKDF2 key starts with
// the challenge's prefix, in a worker when the host page allows one, else in the page (WebCrypto
// derives keys off the main thread either way, so the page stays responsive).
(function () {
  "use strict";

  // Self-contained: its source is also handed to the worker.
  function solve(challenge) {
    var p = challenge.parameters;
    var subtle = crypto.subtle;
    function bytes(hex) {
      var out = new Uint8Array(hex.length / 2);
      for (var i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
      return out;
    }
    function hex(buffer) {
      return Array.prototype.map.call(new Uint8Array(buffer), function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      }).join("");
    }
    var nonce = bytes(p.nonce);
    var salt = bytes(p.salt);
    var hash = "SHA-" + p.algorithm.split("SHA-")[1];
    var password = new Uint8Array(nonce.length + 4);
    password.set(nonce);
    function attempt(counter) {
      new DataView(password.buffer).setUint32(nonce.length, counter);
      return subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]).then(function (key) {
        return subtle.deriveBits({ name: "PBKDF2", hash: hash, salt: salt, iterations: p.cost }, key, p.keyLength * 8);
      }).then(function (bits) {
        var key = hex(bits);
        if (key.indexOf(p.keyPrefix.toLowerCase()) === 0) return { counter: counter, derivedKey: key };
        if (counter >= 1e7) throw new Error("no solution");
        return attempt(counter + 1);
      });
    }
    return attempt(0);
  }

  function work(solve) {
    self.onmessage = function (event) {
      solve(event.data).then(function (solution) { self.postMessage(solution); }, function () { self.postMessage(null); });
    };
  }

  // Runs `solve` in a worker made from this very code; pages whose policy forbids `blob:` workers
  // get it in the page instead.
  function solveSomewhere(challenge) {
    return new Promise(function (resolve, reject) {
      var url, worker;
      function inPage() {
        if (worker) worker.terminate();
        if (url) URL.revokeObjectURL(url);
        worker = null;
        solve(challenge).then(resolve, reject);
      }
      try {
        url = URL.createObjectURL(new Blob(["(" + work + ")(" + solve + ")"], { type: "text/javascript" }));
        worker = new Worker(url);
      } catch (e) {
        return inPage();
      }
      worker.onerror = inPage;
      worker.onmessage = function (event) {
        worker.terminate();
        URL.revokeObjectURL(url);
        if (event.data) resolve(event.data);
        else reject(new Error("no solution"));
      };
      worker.postMessage(challenge);
    });
  }

  // Resolves to what a review's `altcha` member carries: base64 of {challenge, solution}.
  function proof(base, button) {
    return fetch(base + "/api/v1/buttons/" + encodeURIComponent(button) + "/challenge", {
      credentials: "omit",
      mode: "cors",
    }).then(function (response) {
      if (!response.ok) throw { status: response.status };
      return response.json();
    }).then(function (challenge) {
      return solveSomewhere(challenge).then(function (solution) {
        return btoa(JSON.stringify({ challenge: challenge, solution: solution }));
      });
    });
  }

  window.JeDonneMonAvis = window.JeDonneMonAvis || {};
  window.JeDonneMonAvis.proof = proof;
})();
