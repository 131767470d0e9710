// Progressive enhancement only: every page works without this file.
(function () {
  'use strict';
  document.documentElement.classList.add('js');

  function ready(fn) {
    if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', fn);
    else fn();
  }

  // Sort menus apply as soon as a choice is made; the "Sort" button stays for no-JS visitors.
  function enhanceAutosubmit() {
    document.querySelectorAll('select[data-autosubmit]').forEach(function (select) {
      var form = select.form;
      if (!form) return;
      document.querySelectorAll('[data-autosubmit-button]').forEach(function (b) { b.hidden = true; });
      select.addEventListener('change', function () {
        if (typeof form.requestSubmit === 'function') form.requestSubmit();
        else form.submit();
      });
    });
  }

  // Product gallery: without JS a thumbnail links to its photo's figure (shown by :target);
  // with JS the first figure stays and its image is swapped in place.
  function enhanceGallery() {
    document.querySelectorAll('[data-gallery]').forEach(function (gallery) {
      var main = gallery.querySelector('[data-gallery-main]');
      var thumbs = gallery.querySelectorAll('[data-gallery-thumb]');
      if (!main || !thumbs.length) return;
      function show(thumb) {
        // The chosen photo's sizes replace the shown one's (an empty srcset leaves src to decide).
        main.srcset = thumb.getAttribute('data-srcset') || '';
        main.src = thumb.getAttribute('data-src');
        main.alt = thumb.getAttribute('data-alt') || main.alt;
        thumbs.forEach(function (t) { t.removeAttribute('aria-current'); });
        thumb.setAttribute('aria-current', 'true');
      }
      gallery.classList.add('is-enhanced');
      thumbs.forEach(function (thumb) {
        if (location.hash && thumb.getAttribute('href') === location.hash) show(thumb);
        thumb.addEventListener('click', function (event) {
          if (event.metaKey || event.ctrlKey || event.shiftKey || event.button !== 0) return;
          event.preventDefault();
          show(thumb);
        });
      });
    });
  }

  // Rent-to-own calculator: the server renders every term; picking one shows its figures without a reload.
  /**
   * A wide table scrolls inside its .table-wrap: mark the wrappers that do, so the
   * CSS shows a "scroll sideways" cue and fades the cut edge until the end is
   * reached, and bring a chosen column (data-scroll-to) into view.
   */
  function updateScrollRegion(wrap) {
    var more = wrap.scrollWidth - wrap.clientWidth > 1;
    wrap.classList.toggle('is-scrollable', more);
    wrap.classList.toggle('at-end', !more || wrap.scrollLeft + wrap.clientWidth >= wrap.scrollWidth - 1);
  }
  function revealChosen(wrap) {
    var selector = wrap && wrap.getAttribute('data-scroll-to');
    var cell = selector && wrap.querySelector(selector);
    if (!cell) return;
    var past = cell.offsetLeft + cell.offsetWidth - (wrap.scrollLeft + wrap.clientWidth);
    if (past > 0) wrap.scrollLeft += past + 8;
    else if (cell.offsetLeft < wrap.scrollLeft) wrap.scrollLeft = cell.offsetLeft;
    updateScrollRegion(wrap);
  }
  function enhanceScrollRegions() {
    var wraps = document.querySelectorAll('.table-wrap');
    wraps.forEach(function (wrap) {
      updateScrollRegion(wrap);
      revealChosen(wrap);
      wrap.addEventListener('scroll', function () { updateScrollRegion(wrap); }, { passive: true });
    });
    window.addEventListener('resize', function () { wraps.forEach(updateScrollRegion); });
  }

  function enhanceCalculator() {
    document.querySelectorAll('[data-rto]').forEach(function (root) {
      var radios = root.querySelectorAll('input[type=radio][name=term]');
      var submit = root.querySelector('[data-rto-submit]');
      var summary = root.querySelector('[data-rto-summary]');
      var link = root.querySelector('[data-rto-link]');
      var linkTerm = root.querySelector('[data-rto-term]');
      if (submit) submit.hidden = true;

      function show(radio) {
        var term = radio.value;
        root.querySelectorAll('[data-rto-schedule]').forEach(function (s) {
          s.hidden = s.getAttribute('data-term') !== term;
        });
        root.querySelectorAll('[data-term-col]').forEach(function (cell) {
          cell.classList.toggle('is-selected', cell.getAttribute('data-term-col') === term);
        });
        revealChosen(root.querySelector('[data-scroll-to]'));
        if (summary) summary.textContent = radio.getAttribute('data-summary');
        if (link) link.setAttribute('href', link.getAttribute('data-base') + term);
        if (linkTerm) linkTerm.textContent = term;
        if (window.history && window.history.replaceState) {
          var url = new URL(window.location.href);
          url.searchParams.set('term', term);
          window.history.replaceState(null, '', url.toString());
        }
      }

      radios.forEach(function (radio) {
        radio.addEventListener('change', function () {
          if (radio.checked) show(radio);
        });
      });
    });
  }

  // Checkout: totals follow the shipping method, state and store credit as they change, so the amount on the
  // "Place order" button is always the one charged (the server refuses a different total and shows the new one).
  function enhanceCheckoutTotals() {
    var form = document.querySelector('form[data-checkout]');
    if (!form || !window.fetch) return;
    var totals = document.querySelector('[data-checkout-totals]');
    var amount = form.querySelector('[data-amount-due]');
    var expected = form.querySelector('[data-expected-amount]');
    var placeButton = amount ? amount.closest('button') : null;
    form.querySelectorAll('[data-review-button], [data-review-hint]').forEach(function (el) { el.hidden = true; });
    var latest = 0;

    function refresh() {
      var params = new URLSearchParams();
      var shipping = form.querySelector('input[name=shipping_method]:checked');
      var region = form.querySelector('[name=region]');
      var credit = form.querySelector('input[name=use_store_credit]');
      if (shipping) params.set('shipping_method', shipping.value);
      if (region) params.set('region', region.value);
      if (credit && credit.checked) params.set('use_store_credit', 'on');
      var ticket = ++latest;
      // Until the new total is in, the order cannot be placed at an amount the shopper has not seen.
      if (placeButton) placeButton.disabled = true;
      fetch(form.getAttribute('data-checkout') + '?' + params.toString(), { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { if (!r.ok) throw new Error('totals ' + r.status); return r.json(); })
        .then(function (data) {
          if (ticket !== latest) return;
          if (totals) totals.innerHTML = data.totalsHtml;
          if (amount) amount.textContent = data.amountDue;
          if (expected) expected.value = String(data.amountDueCents);
        })
        .catch(function () {
          // Without fresh figures the server still checks the total and shows the new one if it changed.
          form.querySelectorAll('[data-review-button], [data-review-hint]').forEach(function (el) { el.hidden = false; });
        })
        .then(function () { if (ticket === latest && placeButton) placeButton.disabled = false; });
    }

    form.addEventListener('change', function (event) {
      var name = event.target && event.target.name;
      if (name === 'shipping_method' || name === 'region' || name === 'use_store_credit') refresh();
    });
  }

  // Admin dashboard: counters and recent orders follow the store over Server-Sent Events; a reload shows the same.
  function enhanceLiveDashboard() {
    var note = document.querySelector('[data-live-dashboard]');
    if (!note || !window.EventSource) return;
    var source = new EventSource(note.getAttribute('data-live-dashboard'));
    source.addEventListener('dashboard', function (event) {
      var figures;
      try { figures = JSON.parse(event.data); } catch (e) { return; }
      note.hidden = false;
      document.querySelectorAll('[data-live]').forEach(function (el) {
        var key = el.getAttribute('data-live');
        if (figures[key] !== undefined) el.textContent = String(figures[key]);
      });
      var body = document.querySelector('[data-live-orders] tbody');
      if (!body || !figures.recentOrders) return;
      var rows = figures.recentOrders.map(function (o) {
        var tr = document.createElement('tr');
        var th = document.createElement('th');
        th.scope = 'row';
        var a = document.createElement('a');
        a.href = '/admin/orders/' + encodeURIComponent(o.number);
        a.textContent = o.number;
        th.appendChild(a);
        tr.appendChild(th);
        [o.placed, o.email, o.status, o.payment, o.total].forEach(function (text, i) {
          var td = document.createElement('td');
          td.textContent = text;
          if (i === 4) td.className = 'num';
          tr.appendChild(td);
        });
        return tr;
      });
      body.replaceChildren.apply(body, rows);
    });
  }

  // Admin CSV import: the progress bar follows the running import; the page reloads to show the outcome.
  function enhanceImportProgress() {
    var box = document.querySelector('[data-import-progress]');
    if (!box || !window.fetch) return;
    var url = box.getAttribute('data-import-progress');
    var bar = box.querySelector('progress');
    var count = box.querySelector('[data-import-count]');
    var status = box.querySelector('[data-import-status]');
    function poll() {
      fetch(url, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return setTimeout(poll, 3000);
          if (s.status !== 'queued' && s.status !== 'running') return window.location.reload();
          if (s.status === 'running' && status) status.textContent = 'Checking and saving rows…';
          if (s.totalRows) {
            bar.max = s.totalRows;
            bar.value = Math.min(s.doneRows, s.totalRows);
            count.textContent = s.progress;
          }
          setTimeout(poll, 1000);
        })
        .catch(function () { setTimeout(poll, 3000); });
    }
    setTimeout(poll, 1000);
  }

  // Listing filters: the panel opens on wide screens (phones see products first), and a ticked or
  // cleared box applies at once. Without JS the panel opens with its summary and "Apply filters" submits.
  function enhanceFilters() {
    var panel = document.querySelector('[data-filters-panel]');
    var form = document.querySelector('form[data-filter-form]');
    if (panel && window.matchMedia && window.matchMedia('(min-width: 801px)').matches) panel.open = true;
    if (!form) return;
    form.querySelectorAll('[data-filter-apply]').forEach(function (b) { b.hidden = true; });
    form.addEventListener('change', function (event) {
      var target = event.target;
      if (!target || target.type !== 'checkbox') return;
      if (typeof form.requestSubmit === 'function') form.requestSubmit();
      else form.submit();
    });
  }

  /**
   * Product family chooser: an option swaps the product page in place (the
   * same page the link leads to, fetched), keeps the address and history in
   * step and puts focus back on the chosen option. Without JS, or when the
   * fetch fails, the link simply opens the page.
   */
  function enhanceFamilyChooser() {
    var main = document.getElementById('main');
    if (!main || !window.fetch || !window.DOMParser || !history.pushState) return;
    function swap(href, push, choice) {
      return fetch(href, { credentials: 'same-origin', headers: { Accept: 'text/html' } })
        .then(function (r) { if (!r.ok) throw new Error('product ' + r.status); return r.text(); })
        .then(function (html) {
          var doc = new DOMParser().parseFromString(html, 'text/html');
          var next = doc.getElementById('main');
          if (!next || !next.querySelector('[data-family]')) throw new Error('not a product page');
          main.innerHTML = next.innerHTML;
          document.title = doc.title;
          if (push) history.pushState({ familyPage: true }, '', href);
          enhancePage();
          var chosen = choice && main.querySelector('[data-family-option][data-choice="' + choice + '"][aria-current]');
          if (chosen) chosen.focus();
        });
    }
    main.addEventListener('click', function (event) {
      var link = event.target.closest && event.target.closest('[data-family-option]');
      if (!link || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
      event.preventDefault();
      if (link.getAttribute('aria-current')) return;
      main.setAttribute('aria-busy', 'true');
      swap(link.href, true, link.getAttribute('data-choice'))
        .catch(function () { location.href = link.href; })
        .then(function () { main.removeAttribute('aria-busy'); });
    });
    if (document.querySelector('[data-family]')) history.replaceState({ familyPage: true }, '', location.href);
    window.addEventListener('popstate', function (event) {
      if (!event.state || !event.state.familyPage) return;
      swap(location.href, false, null).catch(function () { location.reload(); });
    });
  }

  /** Enhancements of what is inside the page's main element, run again when it is swapped. */
  function enhancePage() {
    enhanceAutosubmit();
    enhanceGallery();
    enhanceCalculator();
    enhanceScrollRegions();
  }

  ready(function () {
    enhanceImportProgress();
    enhanceLiveDashboard();
    enhanceCheckoutTotals();
    enhanceFilters();
    enhancePage();
    enhanceFamilyChooser();
  });
})();
