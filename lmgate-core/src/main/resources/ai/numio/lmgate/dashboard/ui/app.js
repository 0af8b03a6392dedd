// LMGate dashboard: polls /ui/api/summary and draws it. No framework, no network but the gateway.
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var COLORS = ['#1f6feb', '#2da44e', '#bf8700', '#8250df', '#cf222e', '#1b7c83', '#8c959f'];
  var POLL_MS = 5000;
  var state = { range: 'hour', by: 'owner', metric: 'cost_usd', data: null, timer: null };

  var integer = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });

  function $(id) { return document.getElementById(id); }

  function usd(v) {
    return '$' + (Math.abs(v) >= 100 ? v.toFixed(2) : v.toFixed(4));
  }

  function percent(part, whole) {
    return whole > 0 ? (100 * part / whole).toFixed(1) + ' %' : '–';
  }

  function ms(v) {
    if (v === null || v === undefined) { return '–'; }
    if (v >= 1000) { return '≤ ' + (v / 1000).toFixed(v >= 10000 ? 0 : 1) + ' s'; }
    return '≤ ' + (v >= 10 ? Math.round(v) : v) + ' ms';
  }

  function metricText(metric, v) {
    return metric === 'cost_usd' ? usd(v) : integer.format(v);
  }

  function setText(id, text, raw) {
    var el = $(id);
    el.textContent = text;
    if (raw !== undefined) { el.setAttribute('data-value', String(raw)); }
  }

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) { e.textContent = text; }
    if (cls) { e.className = cls; }
    return e;
  }

  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) {
      if (Object.prototype.hasOwnProperty.call(attrs, k)) { e.setAttribute(k, attrs[k]); }
    }
    return e;
  }

  function bucketLabel(start, range) {
    var d = new Date(start);
    if (range === 'month') { return d.toISOString().slice(5, 10); }
    return d.toISOString().slice(11, 16);
  }

  // A stacked bar chart: series = [{name, color, values[]}], one bar per bucket.
  function stackedBars(container, buckets, series, range, format) {
    // drawn in CSS pixels of the container, so labels keep their size
    var W = Math.max(200, container.clientWidth || 900), H = Math.max(80, container.clientHeight || 240);
    var left = 64, right = 8, top = 8, bottom = 20;
    var n = buckets.length;
    var totals = new Array(n).fill(0);
    series.forEach(function (s) { s.values.forEach(function (v, i) { totals[i] += v; }); });
    var max = Math.max.apply(null, totals.concat([0]));
    var root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, preserveAspectRatio: 'none', role: 'img' });
    var plotW = W - left - right, plotH = H - top - bottom;
    root.appendChild(svg('line', { x1: left, y1: top + plotH, x2: W - right, y2: top + plotH, stroke: '#d0d7de' }));
    var yLabel = svg('text', { x: left - 6, y: top + 10, 'text-anchor': 'end' });
    yLabel.textContent = max > 0 ? format(max) : '0';
    root.appendChild(yLabel);
    var step = plotW / Math.max(1, n);
    var barW = Math.max(1, step * 0.8);
    for (var i = 0; i < n; i++) {
      var y = top + plotH;
      for (var s = 0; s < series.length; s++) {
        var v = series[s].values[i];
        if (!(v > 0) || max <= 0) { continue; }
        var h = plotH * v / max;
        y -= h;
        var rect = svg('rect', { x: (left + i * step + (step - barW) / 2).toFixed(2), y: y.toFixed(2),
          width: barW.toFixed(2), height: Math.max(0.5, h).toFixed(2), fill: series[s].color });
        var title = svg('title', {});
        title.textContent = bucketLabel(buckets[i], range) + ' — ' + series[s].name + ': ' + format(v);
        rect.appendChild(title);
        root.appendChild(rect);
      }
    }
    [0, Math.floor(n / 2), n - 1].forEach(function (i) {
      if (i < 0 || i >= n) { return; }
      var t = svg('text', { x: (left + i * step + step / 2).toFixed(2), y: H - 5, 'text-anchor': 'middle' });
      t.textContent = bucketLabel(buckets[i], state.range);
      root.appendChild(t);
    });
    container.replaceChildren(root);
  }

  function renderTiles(d) {
    var t = d.totals;
    setText('t-requests', integer.format(t.requests), t.requests);
    setText('t-cost', usd(t.cost_usd), t.cost_usd);
    setText('t-unpriced', t.unpriced > 0 ? integer.format(t.unpriced) + ' unpriced' : '');
    setText('t-input', integer.format(t.input_tokens), t.input_tokens);
    setText('t-output', integer.format(t.output_tokens), t.output_tokens);
    setText('t-cache', integer.format(t.cache_read_tokens) + ' / ' + integer.format(t.cache_write_tokens));
    setText('t-errors', integer.format(t.errors), t.errors);
    setText('t-error-rate', percent(t.errors, t.requests));
    setText('t-refusals', integer.format(t.refusals), t.refusals);
    setText('t-refusal-rate', percent(t.refusals, t.requests));
    setText('t-inflight', integer.format(d.inflight), d.inflight);
  }

  function renderUsage(d) {
    var metricName = { cost_usd: 'Spend', tokens: 'Tokens', requests: 'Requests' }[state.metric];
    $('usage-title').textContent = metricName + ' over time by ' + d.by;
    var series = d.groups.map(function (g, i) {
      return { name: g.name, color: COLORS[i % COLORS.length], values: g.series[state.metric] };
    });
    stackedBars($('usage-chart'), d.buckets, series, d.range, function (v) { return metricText(state.metric, v); });
    $('groups-dim').textContent = d.by;
    var body = $('groups').tBodies[0];
    body.replaceChildren();
    d.groups.forEach(function (g, i) {
      var tr = el('tr');
      tr.setAttribute('data-name', g.name);
      var sw = el('td');
      var swatch = el('span', null, 'swatch swatch-' + (i % COLORS.length));
      sw.appendChild(swatch);
      tr.appendChild(sw);
      tr.appendChild(el('th', g.name));
      tr.appendChild(el('td', integer.format(g.requests), 'num'));
      tr.appendChild(el('td', integer.format(g.input_tokens + g.output_tokens), 'num'));
      tr.appendChild(el('td', usd(g.cost_usd), 'num'));
      tr.appendChild(el('td', integer.format(g.errors + g.refusals), 'num'));
      body.appendChild(tr);
    });
  }

  function renderSpenders(d) {
    var body = $('spenders').tBodies[0];
    body.replaceChildren();
    var top = d.top_spenders.length > 0 ? d.top_spenders[0].cost_usd : 0;
    d.top_spenders.forEach(function (s) {
      var tr = el('tr');
      tr.setAttribute('data-owner', s.owner);
      tr.appendChild(el('th', s.owner));
      tr.appendChild(el('td', integer.format(s.requests), 'num'));
      tr.appendChild(el('td', integer.format(s.input_tokens + s.output_tokens), 'num'));
      tr.appendChild(el('td', usd(s.cost_usd), 'num'));
      var barCell = el('td', null, 'bar-col');
      var bar = svg('svg', { viewBox: '0 0 100 8', preserveAspectRatio: 'none', width: '100%', height: '8' });
      bar.appendChild(svg('rect', { x: 0, y: 0, height: 8, rx: 3, fill: '#1f6feb',
        width: top > 0 ? (100 * s.cost_usd / top).toFixed(1) : 0 }));
      barCell.appendChild(bar);
      tr.appendChild(barCell);
      body.appendChild(tr);
    });
  }

  function renderErrors(d) {
    stackedBars($('errors-chart'), d.buckets, [
      { name: 'errors', color: '#cf222e', values: d.series.errors },
      { name: 'refusals', color: '#bf8700', values: d.series.refusals }
    ], d.range, function (v) { return integer.format(v); });
    var body = $('error-types').tBodies[0];
    body.replaceChildren();
    d.error_types.forEach(function (e) {
      var tr = el('tr');
      tr.setAttribute('data-error-type', e.error_type);
      tr.appendChild(el('th', e.error_type));
      tr.appendChild(el('td', e.refusal ? 'refusal' : 'error', e.refusal ? 'kind-refusal' : 'kind-error'));
      tr.appendChild(el('td', integer.format(e.count), 'num'));
      body.appendChild(tr);
    });
  }

  function renderLatency(d) {
    var rows = $('latency').tBodies[0].rows;
    for (var i = 0; i < rows.length; i++) {
      var p = d.latency[rows[i].getAttribute('data-key')];
      var cells = rows[i].cells; // cells[0] is the row's heading
      cells[1].textContent = ms(p.p50);
      cells[2].textContent = ms(p.p90);
      cells[3].textContent = ms(p.p99);
      cells[4].textContent = integer.format(p.count);
    }
  }

  function renderHistory(d) {
    var badge = $('history');
    var h = d.history;
    if (h.state === 'loading') {
      badge.textContent = 'loading history… ' + integer.format(h.records) + ' records';
      badge.hidden = false;
    } else if (h.state === 'failed') {
      badge.textContent = 'history unavailable: this process only';
      badge.hidden = false;
    } else {
      badge.hidden = true;
    }
    badge.setAttribute('data-state', h.state);
    $('updated').textContent = 'updated ' + d.generated_at.slice(11, 19) + ' UTC';
  }

  function render() {
    var d = state.data;
    if (!d) { return; }
    renderTiles(d);
    renderUsage(d);
    renderSpenders(d);
    renderErrors(d);
    renderLatency(d);
    renderHistory(d);
    document.body.setAttribute('data-loaded', d.range + ':' + d.by);
  }

  function load() {
    clearTimeout(state.timer);
    var url = '/ui/api/summary?range=' + state.range + '&by=' + state.by;
    fetch(url, { credentials: 'same-origin', cache: 'no-store' })
      .then(function (r) {
        if (r.status === 401) { window.location.assign('/ui'); return null; }
        if (!r.ok) { throw new Error('HTTP ' + r.status); }
        return r.json();
      })
      .then(function (d) {
        if (d) { state.data = d; render(); }
      })
      .catch(function (e) { $('updated').textContent = 'update failed: ' + e.message; })
      .then(function () { state.timer = setTimeout(load, POLL_MS); });
  }

  function choose(navId, attr, key) {
    var nav = $(navId);
    nav.addEventListener('click', function (ev) {
      var b = ev.target.closest('button');
      if (!b) { return; }
      Array.prototype.forEach.call(nav.querySelectorAll('button'), function (x) { x.classList.toggle('active', x === b); });
      state[key] = b.getAttribute(attr);
      if (key === 'metric') { render(); } else { load(); }
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    choose('ranges', 'data-range', 'range');
    choose('metrics', 'data-metric', 'metric');
    $('by').addEventListener('change', function (ev) { state.by = ev.target.value; load(); });
    load();
  });
}());
