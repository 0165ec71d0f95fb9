// Progressive help on every page (the phone menu, confirmations) and for the filing form and the
// reply box. Everything works without it.
(function () {
  "use strict";

  // Draft saving: what is typed survives a reload, a closed tab or an expired session.
  function keepDraft(form) {
    var key = "madoguchi:" + form.dataset.draftKey;
    var fields = function () {
      return Array.prototype.filter.call(form.elements, function (el) {
        return el.name && el.name !== "csrf" && el.type !== "file" && el.type !== "hidden" &&
          el.type !== "submit" && el.type !== "checkbox" && el.tagName !== "BUTTON" && !el.multiple;
      });
    };
    var saved = null;
    try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
    // The server's values win when it shows the form again (after a failed submit).
    var serverFilled = fields().some(function (el) { return el.tagName !== "SELECT" && el.value; });
    if (saved && !serverFilled) {
      fields().forEach(function (el) { if (saved[el.name] !== undefined) { el.value = saved[el.name]; } });
      // The participant picker, set up after this, chooses these again.
      form.draftParticipants = saved.__participants || [];
      if (fields().some(function (el) { return el.tagName !== "SELECT" && el.value; }) || form.draftParticipants.length) {
        tellRestored(form, key);
      }
      form.dispatchEvent(new Event("draft-restored"));
    }
    var save = function () {
      var data = {};
      fields().forEach(function (el) { data[el.name] = el.value; });
      data.__participants = Array.prototype.map.call(
        form.querySelectorAll("#chosen input[name=participants]"), function (el) { return el.value; });
      try { localStorage.setItem(key, JSON.stringify(data)); } catch (e) { /* storage full or off */ }
    };
    // Coming back to the page (the back button) allows sending again.
    window.addEventListener("pageshow", function () { delete form.dataset.sent; });
    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function (event) {
      var action = event.submitter && event.submitter.value;
      if (!action || action === "submit") {
        if (form.dataset.sent) { event.preventDefault(); return; } // a double click files once
        form.dataset.sent = "1";
        save();
        sessionStorage.setItem("madoguchi:submitted", key);
      }
    });
  }

  // A restored draft is said so above its form, with a way to start afresh.
  function tellRestored(form, key) {
    var texts = document.body.dataset;
    if (!texts.draftRestored) { return; }
    var note = document.createElement("p");
    note.className = "notice";
    note.setAttribute("role", "status");
    note.id = form.id + "-draft";
    note.appendChild(document.createTextNode(texts.draftRestored + " "));
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "link";
    discard.id = form.id + "-draft-discard";
    discard.textContent = texts.draftDiscard;
    discard.addEventListener("click", function () {
      localStorage.removeItem(key);
      location.replace(location.href);
    });
    note.appendChild(discard);
    form.parentNode.insertBefore(note, form);
  }

  // A draft is dropped only once the ticket page confirms the filing or the reply.
  var submitted = sessionStorage.getItem("madoguchi:submitted");
  if (submitted && (/[?&]done=(filed|replied)/.test(location.search) || /^\/kb\/articles\/[^/]+$/.test(location.pathname))) {
    localStorage.removeItem(submitted);
    sessionStorage.removeItem("madoguchi:submitted");
  }

  // The service menu's items follow the menu at once; every menu keeps what was typed in it
  // (hidden, not disabled: the server reads the chosen menu's items and keeps the others).
  function followMenu(form) {
    var select = form.querySelector("#service-menu");
    if (!select) { return; }
    var refresh = form.querySelector("#refresh-menu");
    if (refresh) { refresh.hidden = true; }
    var show = function () {
      form.querySelectorAll("fieldset.menu-items").forEach(function (set) {
        var on = set.dataset.menu === select.value;
        set.hidden = !on;
      });
    };
    select.addEventListener("change", show);
    show();
  }

  // The participant picker: 追加 moves the chosen users to the right without a round trip.
  function pickParticipants(form) {
    var add = form.querySelector("#add-participants");
    var candidates = form.querySelector("#candidates");
    var chosen = form.querySelector("#chosen");
    if (!add || !candidates || !chosen) { return; }
    add.addEventListener("click", function (event) {
      event.preventDefault();
      Array.prototype.slice.call(candidates.selectedOptions).forEach(function (option) {
        var li = document.createElement("li");
        var hidden = document.createElement("input");
        hidden.type = "hidden";
        hidden.name = "participants";
        hidden.value = option.value;
        var remove = document.createElement("button");
        remove.type = "button";
        remove.className = "link";
        remove.textContent = "×";
        remove.addEventListener("click", function () {
          candidates.appendChild(option);
          li.remove();
          form.dispatchEvent(new Event("change"));
        });
        li.appendChild(hidden);
        li.appendChild(document.createTextNode(option.textContent + " "));
        li.appendChild(remove);
        chosen.appendChild(li);
        option.remove();
      });
      form.dispatchEvent(new Event("change"));
    });
    // A restored draft's participants are chosen again.
    var again = form.draftParticipants || [];
    if (again.length) {
      Array.prototype.forEach.call(candidates.options, function (option) {
        option.selected = again.indexOf(option.value) >= 0;
      });
      add.click();
    }
  }

  // Related articles while typing (SPEC §4): what was typed is sent to the knowledge center's
  // suggestions, at most every 400 ms, and the best matches show beside the form.
  function suggestArticles(form) {
    var panel = document.getElementById("related-faq");
    if (!panel) { return; }
    var list = panel.querySelector("ul");
    var timer = null;
    var last = "";
    var sent = 0;
    var csrf = form.querySelector("input[name=csrf]");
    var ask = function () {
      var text = Array.prototype.map.call(form.querySelectorAll("[data-suggest]"), function (el) { return el.value; }).join("\n").slice(0, 1000);
      var menu = form.querySelector("#service-menu");
      var body = JSON.stringify({ q: text, service_menu: menu ? menu.value : "" });
      if (body === last) { return; }
      if (!text.trim()) { panel.hidden = true; last = body; return; }
      var mine = ++sent;
      // POST keeps the draft out of URLs and logs; the session's token proves it is this page.
      fetch("/api/v1/kb/suggest", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : "" },
        body: body
      })
        .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
        .then(function (found) {
          if (mine !== sent) { return; } // a newer question is on its way
          last = body;
          list.textContent = "";
          found.items.forEach(function (a) {
            var li = document.createElement("li");
            var link = document.createElement("a");
            link.href = a.url;
            link.target = "_blank";
            link.rel = "noopener";
            link.textContent = a.title;
            li.appendChild(link);
            // The server puts the reader's language first; an article in another is named
            // (in the page's words) and read out in its own language.
            var reader = document.documentElement.lang;
            if (a.language && a.language !== reader) {
              link.lang = a.language;
              var tag = document.createElement("span");
              tag.className = "lang-tag";
              tag.lang = a.language;
              tag.textContent = panel.getAttribute("data-lang-" + a.language) || a.language;
              li.appendChild(document.createTextNode(" "));
              li.appendChild(tag);
            }
            // Where the article matches what was typed, the words marked (text only, never HTML).
            if (a.snippet && a.snippet.fragments) {
              var snippet = document.createElement("div");
              snippet.className = "snippet";
              if (a.language && a.language !== reader) { snippet.lang = a.language; }
              a.snippet.fragments.forEach(function (f) {
                var piece = document.createElement(f.hit ? "mark" : "span");
                piece.textContent = f.text;
                snippet.appendChild(piece);
              });
              li.appendChild(snippet);
            }
            list.appendChild(li);
          });
          panel.hidden = found.items.length === 0;
        })
        .catch(function () { /* suggestions are a help, never a blocker; the next change asks again */ });
    };
    form.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(ask, 400); });
    form.addEventListener("change", function () { clearTimeout(timer); timer = setTimeout(ask, 400); });
    ask();
  }

  // The callback form: the next call's time is shown, and required, only for "rescheduled"
  // (without JavaScript it is always shown and the server checks it).
  var callbackForm = document.getElementById("callback-form");
  if (callbackForm) {
    var outcome = callbackForm.querySelector("select[name=outcome]");
    var nextAt = callbackForm.querySelector("[data-next-at]");
    var followOutcome = function () {
      var rescheduled = outcome.value === "rescheduled";
      nextAt.hidden = !rescheduled;
      nextAt.querySelector("input").required = rescheduled;
    };
    outcome.addEventListener("change", followOutcome);
    followOutcome();
  }

  // On a phone the navigation folds behind a Menu button; without JavaScript it stays open.
  var top = document.querySelector("header.top");
  var nav = top && top.querySelector("nav");
  if (nav && document.body.dataset.menu) {
    nav.id = nav.id || "site-nav";
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "menu-toggle secondary";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", nav.id);
    toggle.textContent = document.body.dataset.menu;
    toggle.addEventListener("click", function () {
      var open = top.classList.toggle("nav-open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
    top.insertBefore(toggle, nav);
    top.classList.add("foldable");
  }

  document.querySelectorAll("form[data-draft-key]").forEach(keepDraft);

  // Signing out forgets every draft on this browser: the next person to sign in here must
  // not find what the last one typed. (The server's answer also says Clear-Site-Data.)
  document.querySelectorAll("form[data-clear-drafts]").forEach(function (form) {
    form.addEventListener("submit", function () { clearDrafts(); });
  });
  function clearDrafts() {
    try {
      var keys = [];
      for (var i = 0; i < localStorage.length; i++) {
        var k = localStorage.key(i);
        if (k && k.indexOf("madoguchi:") === 0) { keys.push(k); }
      }
      keys.forEach(function (k) { localStorage.removeItem(k); });
      sessionStorage.removeItem("madoguchi:submitted");
    } catch (e) { /* storage off: nothing was kept */ }
  }

  // Confirmation: a link to a confirmation page (which works without JavaScript) opens the
  // same question in a dialog instead.
  document.querySelectorAll("[data-dialog]").forEach(function (link) {
    var dialog = document.getElementById(link.dataset.dialog);
    if (!dialog || typeof dialog.showModal !== "function") { return; }
    link.addEventListener("click", function (event) { event.preventDefault(); dialog.showModal(); });
  });

  // A customer admin lowering their own permission is asked first; the server asks on a page
  // when there is no script.
  document.querySelectorAll("form[data-confirm-self]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      var level = form.querySelector("select[name=level]").value;
      if (level === "edit") { return; }
      if (!window.confirm(form.dataset.confirmSelf)) { event.preventDefault(); return; }
      form.querySelector("input[name=confirmed]").value = "yes";
    });
  });

  var ticketForm = document.getElementById("ticket-form");
  if (ticketForm) {
    followMenu(ticketForm);
    pickParticipants(ticketForm);
    suggestArticles(ticketForm);
  }
})();

// Canned replies on the agent's ticket page: choosing one and pressing the button fills it for
// this ticket (GET /api/v1/canned-replies/{id}/render) and inserts it at the cursor of the reply
// box, where it can be edited before sending. Without JavaScript the same button reloads the
// page with the filled text in the reply box.
(function () {
  "use strict";
  var picker = document.getElementById("canned-picker");
  var box = document.getElementById("reply-body");
  if (!picker || !box || !window.fetch) { return; }
  var status = picker.querySelector(".canned-status");
  // Until the agent has been in the box, a reply goes after what is there, not before it.
  var touched = false;
  box.addEventListener("focus", function () { touched = true; });
  picker.addEventListener("submit", function (event) {
    var choice = picker.elements.canned.value;
    if (!choice) { return; } // the browser's own "required" message
    event.preventDefault();
    var url = "/api/v1/canned-replies/" + encodeURIComponent(choice) + "/render?ticket=" +
      encodeURIComponent(picker.dataset.ticket);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); })
      .then(function (filled) {
        // Where the agent left the cursor (or the end): what was typed stays around it.
        var start = touched ? box.selectionStart : box.value.length;
        var end = touched ? box.selectionEnd : box.value.length;
        box.value = box.value.slice(0, start) + filled.body + box.value.slice(end);
        var caret = start + filled.body.length;
        box.focus();
        box.setSelectionRange(caret, caret);
        box.dispatchEvent(new Event("input", { bubbles: true })); // keeps the draft
        if (status) { status.textContent = picker.dataset.inserted; }
      })
      .catch(function () { if (status) { status.textContent = picker.dataset.failed; } });
  });
})();
