/* nianbao site: draws the charts (Plotly, bundled in assets/) and answers the search box from the prebuilt index.
 * Works from file:// (no fetch: the index is loaded as <script> shards) and from any static host. */
(function () {
  'use strict';
  var root = document.body.getAttribute('data-root') || '';

  // ---- charts: <div class="chart" id="X"> + <script type="application/json" data-chart="X">{data, layout}</script>
  function drawCharts() {
    var specs = document.querySelectorAll('script[type="application/json"][data-chart]');
    for (var i = 0; i < specs.length; i++) {
      var el = document.getElementById(specs[i].getAttribute('data-chart'));
      if (!el) continue;
      if (!window.Plotly) { el.textContent = '图表未能加载（assets/plotly.min.js）The chart library did not load.'; continue; }
      var fig = JSON.parse(specs[i].textContent);
      window.Plotly.newPlot(el, fig.data, fig.layout,
        { responsive: true, displaylogo: false, modeBarButtonsToRemove: ['lasso2d', 'select2d'] });
    }
  }

  // ---- search
  function normalise(text) {
    return (text || '').normalize('NFKC').toLowerCase().replace(/\s+/g, '');
  }
  var manifest = window.NIANBAO_SEARCH_MANIFEST || null;
  var shards = {};      // k -> entries
  var waiting = {};     // k -> [callbacks]
  window.nianbaoSearchShard = function (k, entries) {
    shards[k] = entries;
    (waiting[k] || []).forEach(function (cb) { cb(entries); });
    delete waiting[k];
  };
  function loadShard(k, cb) {
    if (shards[k]) { cb(shards[k]); return; }
    if (waiting[k]) { waiting[k].push(cb); return; }
    waiting[k] = [cb];
    var s = document.createElement('script');
    s.src = root + 'search/shard-' + k + '.js';
    s.onerror = function () { showMessage('搜索索引未能加载 The search index did not load.'); };
    document.head.appendChild(s);
  }
  function shardFor(q) {
    // the shard of the query's rarest character: every entry containing the query is in it
    var best = null;
    for (var ch of q) {
      var k = ch.codePointAt(0) % manifest.shards;
      if (best === null || manifest.sizes[k] < manifest.sizes[best]) best = k;
    }
    return best;
  }
  var input, list, active = -1;
  function showMessage(text) {
    list.innerHTML = '';
    var li = document.createElement('li');
    li.className = 'none';
    li.textContent = text;
    list.appendChild(li);
    list.hidden = false;
  }
  function render(q, entries) {
    var hits = [];
    for (var i = 0; i < entries.length; i++) {
      var e = entries[i], name = normalise(e[1]);
      var at = name.indexOf(q);
      if (at < 0) continue;
      // regions first, then names that start with the query, then shorter names
      hits.push([e[0] === 'r' ? 0 : 1, at === 0 ? 0 : 1, name.length, e]);
    }
    hits.sort(function (a, b) { return a[0] - b[0] || a[1] - b[1] || a[2] - b[2] || (a[3][1] < b[3][1] ? -1 : 1); });
    list.innerHTML = '';
    active = -1;
    if (!hits.length) { showMessage('没有找到“' + input.value + '” No agency or region matches.'); return; }
    hits.slice(0, 50).forEach(function (h) {
      var e = h[3];
      var li = document.createElement('li');
      var a = document.createElement('a');
      a.href = root + e[3];
      var kind = document.createElement('span');
      kind.className = 'kind ' + e[0];
      kind.textContent = e[0] === 'r' ? '地区' : '机构';
      a.appendChild(kind);
      a.appendChild(document.createTextNode(e[1]));
      if (e[2]) {
        var ctx = document.createElement('span');
        ctx.className = 'ctx';
        ctx.textContent = e[2];
        a.appendChild(ctx);
      }
      li.appendChild(a);
      list.appendChild(li);
    });
    if (hits.length > 50) showMore(hits.length);
    list.hidden = false;
  }
  function showMore(n) {
    var li = document.createElement('li');
    li.className = 'none';
    li.textContent = '共 ' + n + ' 条，显示前 50 条 (' + n + ' matches, first 50 shown)';
    list.appendChild(li);
  }
  function search() {
    var q = normalise(input.value);
    if (!q) { list.hidden = true; list.innerHTML = ''; return; }
    if (!manifest) { showMessage('搜索索引未能加载 The search index did not load.'); return; }
    loadShard(shardFor(q), function (entries) {
      if (normalise(input.value) === q) render(q, entries);
    });
  }
  function move(step) {
    var links = list.querySelectorAll('a');
    if (!links.length) return;
    if (active >= 0) links[active].classList.remove('active');
    active = (active + step + links.length) % links.length;
    links[active].classList.add('active');
    links[active].scrollIntoView({ block: 'nearest' });
  }
  function setupSearch() {
    input = document.getElementById('search');
    list = document.getElementById('search-results');
    if (!input || !list) return;
    var timer = null;
    input.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(search, 120); });
    input.addEventListener('keydown', function (ev) {
      if (ev.key === 'ArrowDown') { move(1); ev.preventDefault(); }
      else if (ev.key === 'ArrowUp') { move(-1); ev.preventDefault(); }
      else if (ev.key === 'Enter') {
        var links = list.querySelectorAll('a');
        if (links.length) { window.location.href = links[active >= 0 ? active : 0].href; ev.preventDefault(); }
      } else if (ev.key === 'Escape') { list.hidden = true; }
    });
    document.addEventListener('click', function (ev) {
      if (!list.contains(ev.target) && ev.target !== input) list.hidden = true;
    });
    var params = new URLSearchParams(window.location.search);
    if (params.get('q')) { input.value = params.get('q'); search(); }
  }

  drawCharts();
  setupSearch();
})();
