/* djatlas HTML atlas. Every string from the report reaches the page through textContent,
   createTextNode or setAttribute on inert attributes (never innerHTML); diagram labels are drawn
   on a canvas by cytoscape. Views are built on demand: the app list expands lazily, one model
   page at a time, and the diagram only when asked for, scoped to an app by default. */
(function () {
  'use strict';
  var DATA = JSON.parse(document.getElementById('djatlas-data').textContent);
  var MODELS = DATA.models || [];
  var APPS = DATA.apps || [];
  var BY_ID = new Map();     // model id -> model (ids are unique; labels may repeat)
  var BY_LABEL = new Map();  // label -> ids of the models with that label
  var APP_INDEX = new Map();
  var INCOMING = new Map();
  var SEARCH_LIMIT = 50;
  var LIST_LIMIT = 300;
  var state = { cy: null, openApps: new Set(), current: null, layoutOpts: { ghosts: false, dir: 'LR', labels: true, onDelete: false } };
  window.djatlas = state;

  MODELS.forEach(function (m) {
    BY_ID.set(m.id, m);
    if (!BY_LABEL.has(m.label)) BY_LABEL.set(m.label, []);
    BY_LABEL.get(m.label).push(m.id);
  });
  /* A route names a model by id, or by a label only one model has. */
  function modelKey(key) {
    if (BY_ID.has(key)) return key;
    var ids = BY_LABEL.get(key);
    return ids && ids.length === 1 ? ids[0] : null;
  }
  /* The label, with the module when other models share it. */
  function titleOf(m) {
    if ((BY_LABEL.get(m.label) || []).length < 2) return m.label;
    var where = m.id.slice(-(m.name.length + 1)) === '.' + m.name ? m.id.slice(0, -(m.name.length + 1)) : m.id;
    return m.label + ' (' + where + ')';
  }
  APPS.forEach(function (a, i) { APP_INDEX.set(a.label, i); });
  MODELS.forEach(function (m) {
    if (!APP_INDEX.has(m.app_label)) {
      APP_INDEX.set(m.app_label, APPS.length);
      APPS.push({ label: m.app_label, name: m.app_label, config: null, models: [] });
    }
    (m.fields || []).forEach(function (f) {
      var rel = f.relation;
      if (rel && rel.target_id && BY_ID.has(rel.target_id) && f.origin !== 'parent') {
        if (!INCOMING.has(rel.target_id)) INCOMING.set(rel.target_id, []);
        INCOMING.get(rel.target_id).push({ model: m.id, field: f.name, kind: rel.kind });
      }
    });
  });
  APPS.forEach(function (a) {
    a.models = MODELS.filter(function (m) { return m.app_label === a.label; })
      .map(function (m) { return m.id; });
  });
  var PALETTE = ['#3b82f6', '#22c55e', '#f59e0b', '#ec4899', '#6366f1', '#14b8a6', '#ef4444',
    '#8b5cf6', '#64748b', '#f97316', '#0ea5e9', '#84cc16'];
  function appColour(app) { return PALETTE[(APP_INDEX.get(app) || 0) % PALETTE.length]; }

  /* ---- DOM helpers (text only) ---------------------------------------------------- */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), v);
        else el.setAttribute(k, v);
      });
    }
    for (var i = 2; i < arguments.length; i++) add(el, arguments[i]);
    return el;
  }
  function add(el, child) {
    if (child === null || child === undefined || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(el, c); }); return; }
    el.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function modelHref(id) { return '#/model/' + encodeURIComponent(id); }
  function appHref(label) { return '#/app/' + encodeURIComponent(label); }
  function diagramHref(kind, label, depth) {
    if (kind === 'all') return '#/diagram/all';
    return '#/diagram/' + kind + '/' + encodeURIComponent(label) + (depth ? '/' + depth : '');
  }
  /* A link to the model with this id (``label`` is what a report names it by, shown when the
     model is not in this atlas). */
  function modelLink(id, text, label) {
    var m = id && BY_ID.get(id);
    if (m) {
      return h('a', { href: modelHref(id), class: 'model-link', 'data-label': m.label, 'data-id': id }, text || titleOf(m));
    }
    return h('span', { class: 'mono', title: 'not in this atlas' }, text || label || id || '?');
  }
  function fmtValue(v) {
    if (v === null) return 'None';
    if (v === true) return 'True';
    if (v === false) return 'False';
    if (typeof v === 'object' && !Array.isArray(v) && typeof v.$expr === 'string') return v.$expr;
    if (Array.isArray(v)) return '[' + v.map(fmtValue).join(', ') + ']';
    if (typeof v === 'object') {
      return '{' + Object.keys(v).map(function (k) { return JSON.stringify(k) + ': ' + fmtValue(v[k]); }).join(', ') + '}';
    }
    if (typeof v === 'string') return JSON.stringify(v);
    return String(v);
  }

  /* ---- layout: header, sidebar ---------------------------------------------------- */
  var main = document.getElementById('main');
  var side = document.getElementById('side');
  var search = document.getElementById('search');

  function renderSidebar() {
    clear(side);
    APPS.forEach(function (a) {
      var box = h('div', { class: 'app', 'data-app': a.label });
      var open = state.openApps.has(a.label);
      var btn = h('button', {
        type: 'button', 'aria-expanded': open ? 'true' : 'false',
        onclick: function () {
          if (state.openApps.has(a.label)) state.openApps.delete(a.label);
          else state.openApps.add(a.label);
          renderSidebar();
        }
      }, h('span', { class: 'caret' }, open ? '▾' : '▸'), h('span', null, a.label),
        h('span', { class: 'count' }, String(a.models.length)));
      box.appendChild(btn);
      if (open) {
        var ul = h('ul');
        ul.appendChild(h('li', null, h('a', { href: appHref(a.label) }, 'Overview ›')));
        a.models.forEach(function (id) {
          var m = BY_ID.get(id);
          ul.appendChild(h('li', null, h('a', {
            href: modelHref(id), class: state.current === id ? 'on' : null,
            title: titleOf(m)
          }, m.name)));
        });
        box.appendChild(ul);
      }
      side.appendChild(box);
    });
  }

  /* ---- pages --------------------------------------------------------------------- */
  function page(title) {
    main.className = '';
    clear(main);
    document.title = title + ' — ' + (DATA.title || 'djatlas');
    return main;
  }

  function homePage() {
    var el = page('Overview');
    var s = DATA.summary || {};
    el.appendChild(h('h1', null, DATA.title || 'Django data model'));
    el.appendChild(h('div', { class: 'sub' },
      DATA.metadata && DATA.metadata.path ? h('code', null, DATA.metadata.path) : null,
      DATA.metadata && DATA.metadata.git_commit ? h('span', null, 'commit ' + DATA.metadata.git_commit.slice(0, 12)) : null,
      DATA.metadata && DATA.metadata.source ? h('span', { class: 'badge' }, DATA.metadata.source) : null));
    var cards = h('div', { class: 'cards' });
    [['apps', 'apps'], ['models', 'models'], ['concrete_models', 'concrete'], ['abstract_models', 'abstract'],
      ['proxy_models', 'proxy'], ['fields', 'fields'], ['relationships', 'relations']].forEach(function (p) {
      if (s[p[0]] !== undefined) cards.appendChild(h('div', { class: 'card' }, h('div', { class: 'n' }, String(s[p[0]])), h('div', { class: 'l' }, p[1])));
    });
    el.appendChild(cards);
    el.appendChild(h('h2', null, 'Apps'));
    var t = h('table', null, h('tr', null, h('th', null, 'App'), h('th', null, 'Models'), h('th', null, 'Diagram')));
    APPS.forEach(function (a) {
      t.appendChild(h('tr', null, h('td', null, h('a', { href: appHref(a.label) }, a.label)),
        h('td', null, String(a.models.length)),
        h('td', null, a.models.length ? h('a', { href: diagramHref('app', a.label) }, 'diagram') : '')));
    });
    el.appendChild(t);
    if (DATA.diagnostics && DATA.diagnostics.length) {
      el.appendChild(h('h2', null, 'Diagnostics (' + DATA.diagnostics_total + ')'));
      var ul = h('ul', { class: 'links' });
      DATA.diagnostics.forEach(function (d) {
        ul.appendChild(h('li', null, h('span', { class: 'badge' + (d.severity === 'error' ? ' warn' : '') }, d.severity), ' ',
          h('code', null, d.code), ' ', d.message, d.file ? h('span', { class: 'mono' }, ' — ' + d.file + (d.line ? ':' + d.line : '')) : null));
      });
      el.appendChild(ul);
    }
  }

  function appPage(label) {
    var a = APPS[APP_INDEX.get(label)];
    if (!a) return notFound('app ' + label);
    state.openApps.add(label);
    renderSidebar();
    var el = page(label);
    el.appendChild(h('h1', null, a.label));
    el.appendChild(h('div', { class: 'sub' }, a.config ? h('code', null, a.config) : null,
      h('span', null, a.models.length + ' models'),
      a.models.length ? h('a', { class: 'btn', href: diagramHref('app', label) }, 'Diagram') : null));
    var t = h('table', null, h('tr', null, h('th', null, 'Model'), h('th', null, 'Kind'), h('th', null, 'Fields'), h('th', null, 'Table'), h('th', null, 'Defined in')));
    a.models.forEach(function (ml) {
      var m = BY_ID.get(ml);
      t.appendChild(h('tr', null, h('td', null, modelLink(ml, m.name)), h('td', null, kindBadges(m)),
        h('td', null, String((m.fields || []).length)), h('td', null, m.db_table ? h('code', null, m.db_table) : '—'),
        h('td', { class: 'mono' }, whereOf(m))));
    });
    el.appendChild(t);
  }

  function kindBadges(m) {
    var out = [];
    if (m.abstract) out.push(h('span', { class: 'badge abstract' }, 'abstract'));
    if (m.proxy) out.push(h('span', { class: 'badge proxy' }, 'proxy'));
    if (m.parents && m.parents.length) out.push(h('span', { class: 'badge' }, 'multi-table child'));
    if (!out.length) out.push(h('span', { class: 'badge' }, 'model'));
    if (m.external) out.push(h('span', { class: 'badge external', title: OUTSIDE_TEXT }, 'external' + (m.origin ? ' · ' + m.origin : '')));
    return out;
  }

  /* Models outside the tree (Django's, installed packages', bundled knowledge's): badge, where, diagram style. */
  var OUTSIDE_TEXT = 'outside the tree (Django, installed packages, bundled knowledge)';
  function whereOf(m) {
    if (m.file) return m.file + (m.line ? ':' + m.line : '');
    return m.external ? 'outside the tree' + (m.origin ? ' (' + m.origin + ')' : '') : '—';
  }

  function fieldRow(m, f) {
    var rel = f.relation;
    var flags = [];
    if (f.primary_key) flags.push('PK');
    if (f.unique && !f.primary_key) flags.push('unique');
    if (f.null) flags.push('null');
    var relCell = null;
    if (rel) {
      relCell = [rel.kind || 'relation', ' → ', rel.target ? modelLink(rel.target_id, null, rel.target) : h('span', { class: 'mono', title: 'unresolved' }, rel.target_raw || '?')];
      if (rel.through) relCell.push(' through ', modelLink(rel.through_id, null, rel.through));
      if (rel.on_delete) relCell.push(h('div', { class: 'mono' }, 'on_delete=' + rel.on_delete));
      if (rel.related_name) relCell.push(h('div', { class: 'mono' }, 'related_name=' + rel.related_name));
    }
    var params = Object.keys(f.params || {}).map(function (k) { return k + '=' + fmtValue(f.params[k]); }).join(', ');
    var from = (f.origin === 'inherited' || f.origin === 'parent') && f.defined_in ? f.defined_in : '';
    var origin = f.origin !== 'declared' ? h('div', { class: 'badge', title: from ? f.origin + ' from ' + from : f.origin }, f.origin + (from ? ' · ' + from.split('.').pop() : '')) : null;
    /* Long cells are clamped to three lines (rows stay short on big models); a click shows all. */
    function clamp(content, extra) { return h('div', { class: 'clamp' + (extra ? ' ' + extra : ''), title: typeof content === 'string' ? content : null, onclick: function () { this.classList.toggle('open'); } }, content); }
    return h('tr', { class: f.origin, 'data-field': f.name },
      h('td', null, clamp([h('code', null, f.name), origin])),
      h('td', null, clamp([h('code', null, f.type || '?'), f.django_type && f.django_type !== f.type ? h('div', { class: 'mono' }, f.django_type) : null])),
      h('td', { class: 'mono' }, clamp(f.column || '—')),
      h('td', null, flags.join(', ')),
      h('td', null, relCell ? clamp(relCell) : null),
      h('td', { class: 'params mono' }, clamp(params)),
      h('td', { class: 'mono' }, f.line ? String(f.line) : ''));
  }

  function modelPage(key) {
    var id = modelKey(key);
    var m = id && BY_ID.get(id);
    if (!m) return notFound('model ' + key + ((BY_LABEL.get(key) || []).length > 1 ? ' (several models have this label)' : ''));
    state.current = id;
    state.openApps.add(m.app_label);
    renderSidebar();
    var el = page(m.name);
    el.appendChild(h('h1', { id: 'model-title', 'data-label': m.label }, m.name));
    el.appendChild(h('div', { class: 'sub' }, h('code', { title: m.id }, titleOf(m)), ' in ', h('a', { href: appHref(m.app_label) }, m.app_label), kindBadges(m),
      h('span', { class: 'mono' }, whereOf(m)),
      h('a', { class: 'btn', href: diagramHref('model', m.id, 1) }, 'Neighbourhood diagram')));
    if (m.docstring) el.appendChild(h('div', { class: 'doc' }, m.docstring));
    var kv = h('dl', { class: 'kv' });
    function row(k, v) {
      if (v === null || v === undefined || v === '' || (Array.isArray(v) && !v.length)) return;
      kv.appendChild(h('dt', null, k));
      kv.appendChild(h('dd', null, v));
    }
    row('Module', h('code', null, m.module));
    row('Table', m.db_table ? h('code', null, m.db_table) : null);
    row('Last migration', m.migration ? h('span', { class: 'mono', id: 'last-migration' }, m.migration.app_label + '.' + m.migration.name + ' (' + m.migration.file + ')') : null);
    row('Bases', (m.bases || []).map(function (b, i) {
      var target = b.model_id && BY_ID.has(b.model_id) ? b.model_id : null;
      return [i ? ', ' : '', target ? modelLink(target, b.name) : h('code', { title: (b.resolved || 'unresolved') + ' (' + b.origin + ')' }, b.name)];
    }));
    row('Parents', (m.parents || []).map(function (p, i) { return [i ? ', ' : '', modelLink((m.parent_ids || [])[i], null, p)]; }));
    if (m.proxy && m.concrete_model) row('Proxy of', modelLink(m.concrete_model_id, null, m.concrete_model));
    row('Methods', (m.methods || []).join(', '));
    el.appendChild(kv);

    el.appendChild(h('h2', null, 'Fields (' + (m.fields || []).length + ')'));
    var t = h('table', { id: 'fields', class: 'fields' }, h('colgroup', null, ['name', 'type', 'column', 'flags', 'relation', 'params', 'line'].map(function (c) { return h('col', { class: 'c-' + c }); })),
      h('tr', null, ['Name', 'Type', 'Column', 'Flags', 'Relation', 'Parameters', 'Line'].map(function (c) { return h('th', null, c); })));
    (m.fields || []).forEach(function (f) { t.appendChild(fieldRow(m, f)); });
    el.appendChild(t);

    var out = (m.fields || []).filter(function (f) { return f.relation; });
    var rev = m.reverse_relations || [];
    var incoming = INCOMING.get(m.id) || [];
    el.appendChild(h('h2', null, 'Relations'));
    var rel = h('div', { class: 'cards', id: 'relations' });
    var outUl = h('ul', { class: 'links' });
    out.forEach(function (f) {
      outUl.appendChild(h('li', null, h('code', null, f.name), ' ' + (f.relation.kind || '') + ' → ', f.relation.target ? modelLink(f.relation.target_id, null, f.relation.target) : h('span', { class: 'mono' }, f.relation.target_raw || '?')));
    });
    if (!out.length) outUl.appendChild(h('li', { class: 'more' }, 'none'));
    var inUl = h('ul', { class: 'links' });
    var seen = new Set();
    rev.forEach(function (r) {
      seen.add((r.model_id || r.model) + '.' + r.field);
      inUl.appendChild(h('li', null, modelLink(r.model_id, null, r.model), '.' + r.field + ' (' + r.kind + ')', r.name ? h('span', { class: 'mono' }, ' accessor ' + r.name) : null, r.via ? h('span', { class: 'more' }, ' to ', modelLink(r.via_id, null, r.via)) : null));
    });
    incoming.forEach(function (r) {
      if (seen.has(r.model + '.' + r.field)) return;  // r.model is an id here
      inUl.appendChild(h('li', null, modelLink(r.model), '.' + r.field + ' (' + r.kind + ')'));
    });
    if (!inUl.firstChild) inUl.appendChild(h('li', { class: 'more' }, 'none'));
    rel.appendChild(h('div', { class: 'card' }, h('div', { class: 'l' }, 'Outgoing'), outUl));
    rel.appendChild(h('div', { class: 'card' }, h('div', { class: 'l' }, 'Incoming'), inUl));
    el.appendChild(rel);

    el.appendChild(h('h2', null, 'Meta' + (m.meta_inherited_from ? ' (inherited from ' + m.meta_inherited_from + ')' : '')));
    var meta = h('dl', { class: 'kv', id: 'meta' });
    Object.keys(m.meta || {}).forEach(function (k) { meta.appendChild(h('dt', null, k)); meta.appendChild(h('dd', { class: 'mono' }, fmtValue(m.meta[k]))); });
    if (!meta.firstChild) meta.appendChild(h('dd', { class: 'more' }, 'no options'));
    el.appendChild(meta);
    main.scrollTop = 0;
  }

  function notFound(what) {
    var el = page('Not found');
    el.appendChild(h('h1', null, 'Not found'));
    el.appendChild(h('p', null, 'No ' + what + ' in this atlas. ', h('a', { href: '#/' }, 'Back to the overview')));
  }

  /* ---- search -------------------------------------------------------------------- */
  function searchPage(q) {
    var el = page('Search');
    search.value = q;
    var needle = q.trim().toLowerCase();
    el.appendChild(h('h1', null, 'Search: ', q));
    if (!needle) return;
    var models = [], fields = [], apps = [], nm = 0, nf = 0, na = 0;
    APPS.forEach(function (a) { if (a.label.toLowerCase().indexOf(needle) >= 0) { na++; if (apps.length < SEARCH_LIMIT) apps.push(a); } });
    MODELS.forEach(function (m) {
      var name = m.name.toLowerCase();
      if (m.label.toLowerCase().indexOf(needle) >= 0 || m.id.toLowerCase().indexOf(needle) >= 0 || (m.db_table || '').toLowerCase().indexOf(needle) >= 0) {
        nm++; models.push({ m: m, rank: name === needle ? 0 : name.indexOf(needle) === 0 ? 1 : 2 });
      }
      (m.fields || []).forEach(function (f) {
        if (f.name.toLowerCase().indexOf(needle) >= 0 || (f.type || '').toLowerCase().indexOf(needle) >= 0) {
          nf++; if (fields.length < SEARCH_LIMIT) fields.push([m, f]);
        }
      });
    });
    models.sort(function (a, b) { return a.rank - b.rank || a.m.label.localeCompare(b.m.label); });
    var box = h('div', { class: 'results', id: 'results' });
    function section(title, n, items, fn) {
      if (!n) return;
      var ul = h('ul', { class: 'links' });
      items.slice(0, SEARCH_LIMIT).forEach(function (x) { ul.appendChild(h('li', null, fn(x))); });
      if (n > SEARCH_LIMIT) ul.appendChild(h('li', { class: 'more' }, (n - SEARCH_LIMIT) + ' more — refine the search'));
      box.appendChild(h('section', null, h('h2', null, title + ' (' + n + ')'), ul));
    }
    section('Models', nm, models, function (x) { return [modelLink(x.m.id, x.m.name), ' ', h('span', { class: 'mono' }, titleOf(x.m))]; });
    section('Fields', nf, fields, function (x) { return [modelLink(x[0].id, x[0].name + '.' + x[1].name), ' ', h('span', { class: 'mono' }, x[1].type || '')]; });
    section('Apps', na, apps, function (a) { return h('a', { href: appHref(a.label) }, a.label); });
    if (!box.firstChild) box.appendChild(h('p', { class: 'empty' }, 'Nothing matches.'));
    el.appendChild(box);
  }
  var timer = null;
  search.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var target = search.value.trim() ? '#/search/' + encodeURIComponent(search.value) : '#/';
      if (location.hash !== target) history.replaceState(null, '', target);
      searchPage(search.value);
    }, 150);
  });
  search.addEventListener('keydown', function (ev) {
    if (ev.key === 'Enter') {
      clearTimeout(timer);
      searchPage(search.value);
      var first = main.querySelector('#results a');
      if (first) location.hash = first.getAttribute('href');
    }
  });
  document.addEventListener('keydown', function (ev) {
    if (ev.key === '/' && document.activeElement !== search) { ev.preventDefault(); search.focus(); }
  });

  /* ---- diagram ------------------------------------------------------------------- */
  function edgesOf(m) {
    var out = [];
    (m.fields || []).forEach(function (f) {
      var rel = f.relation;
      if (f.origin === 'parent') return;
      if (rel && rel.target_id && BY_ID.has(rel.target_id) && ['ForeignKey', 'OneToOneField', 'ManyToManyField'].indexOf(rel.kind) >= 0) {
        if (rel.parent_link && (m.parent_ids || []).indexOf(rel.target_id) >= 0) out.push({ target: rel.target_id, kind: 'parent', label: 'parent' });
        else out.push({ target: rel.target_id, kind: rel.kind, label: f.name, onDelete: (rel.on_delete || '').split('(')[0] });
      }
    });
    if (m.proxy && m.concrete_model_id && m.concrete_model_id !== m.id && BY_ID.has(m.concrete_model_id)) out.push({ target: m.concrete_model_id, kind: 'proxy', label: 'proxy of' });
    (m.bases || []).forEach(function (b) {
      var t = b.model_id && BY_ID.get(b.model_id);
      if (t && t.abstract) out.push({ target: t.id, kind: 'abstract', label: 'extends' });
    });
    return out;
  }

  function scopeModels(kind, label, depth) {
    var core = new Set();
    if (kind === 'all') MODELS.forEach(function (m) { core.add(m.id); });
    else if (kind === 'app') MODELS.forEach(function (m) { if (m.app_label === label) core.add(m.id); });
    else if (kind === 'model' && BY_ID.has(label)) {
      var adj = new Map();
      MODELS.forEach(function (m) {
        edgesOf(m).forEach(function (e) {
          if (!adj.has(m.id)) adj.set(m.id, new Set());
          if (!adj.has(e.target)) adj.set(e.target, new Set());
          adj.get(m.id).add(e.target); adj.get(e.target).add(m.id);
        });
      });
      var frontier = [label]; core.add(label);
      for (var d = 0; d < depth; d++) {
        var next = [];
        frontier.forEach(function (l) { (adj.get(l) || new Set()).forEach(function (n) { if (!core.has(n)) { core.add(n); next.push(n); } }); });
        frontier = next;
      }
    }
    return core;
  }

  function diagramPage(kind, label, depth) {
    if (state.cy) { state.cy.destroy(); state.cy = null; }
    main.className = 'diagram-mode';
    clear(main);
    document.title = 'Diagram — ' + (DATA.title || 'djatlas');
    depth = Math.max(1, Math.min(5, depth || 1));
    if (kind === 'app' && !label) label = defaultApp();
    if (kind === 'model') label = modelKey(label) || label;
    var core = scopeModels(kind, label, depth);
    var appSel = h('select', { id: 'scope-app', onchange: function () { location.hash = diagramHref('app', appSel.value); } });
    APPS.forEach(function (a) { appSel.appendChild(h('option', { value: a.label, selected: kind === 'app' && a.label === label ? 'selected' : null }, a.label + ' (' + a.models.length + ')')); });
    if (kind !== 'app') appSel.insertBefore(h('option', { value: '', selected: 'selected', disabled: 'disabled' }, 'app…'), appSel.firstChild);
    var depthSel = null;
    if (kind === 'model') {
      depthSel = h('select', { id: 'scope-depth', onchange: function () { location.hash = diagramHref('model', label, depthSel.value); } });
      [1, 2, 3, 4, 5].forEach(function (d) { depthSel.appendChild(h('option', { value: String(d), selected: d === depth ? 'selected' : null }, 'depth ' + d)); });
    }
    /* Readable by default: only the scope's own models; related models of other scopes, layout
       direction, edge captions and on_delete colours are the reader's choice (kept while browsing). */
    var opts = state.layoutOpts;
    var ghosts = h('input', { type: 'checkbox', id: 'show-external', checked: opts.ghosts ? 'checked' : null, onchange: function () { opts.ghosts = ghosts.checked; draw(); } });
    var dirSel = h('select', { id: 'layout-dir', title: 'layout direction', onchange: function () { opts.dir = dirSel.value; draw(); } });
    [['LR', 'left → right'], ['TB', 'top → bottom'], ['RL', 'right → left'], ['BT', 'bottom → top']].forEach(function (d) {
      dirSel.appendChild(h('option', { value: d[0], selected: opts.dir === d[0] ? 'selected' : null }, d[1]));
    });
    var labelsBox = h('input', { type: 'checkbox', id: 'edge-labels', checked: opts.labels ? 'checked' : null, onchange: function () { opts.labels = labelsBox.checked; draw(); } });
    var colourBox = h('input', { type: 'checkbox', id: 'colour-on-delete', checked: opts.onDelete ? 'checked' : null, onchange: function () { opts.onDelete = colourBox.checked; draw(); } });
    var info = h('span', { class: 'info', id: 'diagram-info' });
    var legend = h('span', { class: 'legend', id: 'diagram-legend', hidden: 'hidden' });
    var title = kind === 'all' ? 'Whole project' : kind === 'app' ? 'App ' + label : 'Around ' + (BY_ID.has(label) ? titleOf(BY_ID.get(label)) : label);
    main.appendChild(h('div', { class: 'toolbar' }, h('strong', null, title), appSel, depthSel,
      kind === 'model' ? h('a', { class: 'btn', href: modelHref(label) }, 'Open model') : null,
      h('a', { class: 'btn', href: diagramHref('all'), id: 'scope-all' }, 'Whole project'),
      h('label', null, ghosts, ' related models of other scopes'),
      dirSel, h('label', null, labelsBox, ' edge labels'),
      h('label', { title: 'CASCADE red, PROTECT/RESTRICT orange, SET_NULL blue, SET_DEFAULT/SET purple, DO_NOTHING grey' }, colourBox, ' colour by on_delete'),
      h('button', { class: 'btn', type: 'button', onclick: function () { if (state.cy) state.cy.fit(undefined, 30); } }, 'Fit'),
      legend, info));
    var box = h('div', { id: 'cy' });
    main.appendChild(box);
    if (typeof window.cytoscape !== 'function') { info.textContent = 'diagram library failed to load'; return; }

    function edgeElement(id, source, e) {
      var colour = opts.onDelete && ON_DELETE_COLOURS[e.onDelete];
      return { data: { id: id, source: source, target: e.target, label: opts.labels ? e.label : '', kind: e.kind, onDelete: e.onDelete || '' },
        classes: colour ? 'od-' + e.onDelete : '' };
    }

    function draw() {
      if (state.cy) { state.cy.destroy(); state.cy = null; }
      var nodes = new Map(), edges = [];
      core.forEach(function (l) { nodes.set(l, false); });
      core.forEach(function (l) {
        edgesOf(BY_ID.get(l)).forEach(function (e, i) {
          if (!core.has(e.target)) { if (!ghosts.checked) return; nodes.set(e.target, true); }
          edges.push(edgeElement('e:' + l + ':' + i, l, e));
        });
      });
      if (ghosts.checked) {
        MODELS.forEach(function (m) {
          if (core.has(m.id)) return;
          edgesOf(m).forEach(function (e, i) {
            if (core.has(e.target)) { nodes.set(m.id, true); edges.push(edgeElement('e:' + m.id + ':' + i, m.id, e)); }
          });
        });
      }
      var els = [];
      nodes.forEach(function (external, l) {
        var m = BY_ID.get(l);
        var text = external ? m.name + '\n' + m.app_label : m.name + '\n' + (m.fields || []).length + ' fields';
        els.push({ data: { id: l, label: text, colour: appColour(m.app_label), w: Math.max(90, Math.min(260, 8 * Math.max(m.name.length, m.app_label.length) + 24)) },
          classes: (external ? 'external ' : '') + (m.external ? 'outside ' : '') + (m.abstract ? 'abstract ' : '') + (m.proxy ? 'proxy' : '') });
      });
      var n = nodes.size;
      var big = n > 600;
      var own = 0; nodes.forEach(function (external) { if (!external) own++; });
      var outside = 0; nodes.forEach(function (external, l) { if (BY_ID.get(l).external) outside++; });
      legend.textContent = outside ? 'grey, double border: ' + OUTSIDE_TEXT + (ghosts.checked ? ' · dashed: related models of other scopes' : '') : '';
      legend.hidden = !outside;
      info.textContent = n + ' models' + (n > own ? ' (' + (n - own) + ' of other scopes)' : '') + ', ' + edges.length + ' links' + (big ? ' — grid layout (too many for a layered layout)' : '');
      info.setAttribute('data-models', String(n));
      document.body.setAttribute('data-diagram', 'loading');
      var cy = window.cytoscape({
        container: box, elements: els.concat(edges),
        textureOnViewport: n > 300, hideEdgesOnViewport: n > 300, pixelRatio: n > 300 ? 1 : 'auto',
        style: [
          { selector: 'node', style: { shape: 'round-rectangle', 'background-color': '#fff', 'border-width': 2, 'border-color': 'data(colour)',
            label: 'data(label)', 'text-wrap': 'wrap', 'text-valign': 'center', 'font-size': 12, width: 'data(w)', height: 40, color: '#1f2328' } },
          { selector: 'node.external', style: { 'border-style': 'dashed', opacity: 0.7, 'background-color': '#f3f4f6' } },
          { selector: 'node.outside', style: { 'background-color': '#e5e7eb', 'border-color': '#9ca3af', 'border-style': 'double', 'border-width': 5, color: '#6b7280' } },
          { selector: 'node.abstract', style: { 'border-style': 'dotted', 'font-style': 'italic' } },
          { selector: 'node:selected', style: { 'background-color': '#e8f0ff' } },
          { selector: 'edge', style: { width: 1.4, 'curve-style': 'bezier', 'line-color': '#8b949e', 'target-arrow-color': '#8b949e', 'source-arrow-color': '#8b949e',
            'target-arrow-shape': 'triangle', label: 'data(label)', 'font-size': 9, 'text-rotation': 'autorotate', 'text-background-color': '#fbfbfd',
            'text-background-opacity': 1, 'min-zoomed-font-size': 7, color: '#57606a' } },
          { selector: 'edge[kind = "ManyToManyField"]', style: { 'source-arrow-shape': 'triangle', 'line-color': '#a371f7', 'target-arrow-color': '#a371f7', 'source-arrow-color': '#a371f7' } },
          { selector: 'edge[kind = "OneToOneField"]', style: { 'target-arrow-shape': 'tee', 'line-color': '#1f883d', 'target-arrow-color': '#1f883d' } },
          { selector: 'edge[kind = "parent"], edge[kind = "proxy"], edge[kind = "abstract"]', style: { 'line-style': 'dashed', 'target-arrow-shape': 'triangle-backcurve', 'target-arrow-fill': 'hollow' } }
        ].concat(Object.keys(ON_DELETE_COLOURS).map(function (k) {
          var c = ON_DELETE_COLOURS[k];
          return { selector: 'edge.od-' + k, style: { 'line-color': c, 'target-arrow-color': c, 'source-arrow-color': c, color: c, width: 2 } };
        })),
        layout: { name: 'preset' }
      });
      state.cy = cy;
      cy.on('tap', 'node', function (ev) { location.hash = modelHref(ev.target.id()); });
      cy.on('mouseover', 'node', function () { box.style.cursor = 'pointer'; });
      cy.on('mouseout', 'node', function () { box.style.cursor = ''; });
      var layout = big || !window.cytoscape('layout', 'dagre')
        ? { name: 'grid', avoidOverlap: true, condense: true, sort: function (a, b) { return a.id() < b.id() ? -1 : 1; } }
        : { name: 'dagre', rankDir: opts.dir, nodeSep: 20, rankSep: 70, edgeSep: 10 };
      layout.fit = true; layout.padding = 30; layout.animate = false;
      cy.one('layoutstop', function () {
        if (kind === 'model') { var c = cy.getElementById(label); c.select(); }
        document.body.setAttribute('data-diagram', 'ready');
      });
      cy.layout(layout).run();
    }
    draw();
  }
  var ON_DELETE_COLOURS = { CASCADE: '#dc2626', PROTECT: '#d97706', RESTRICT: '#d97706', SET_NULL: '#2563eb', SET_DEFAULT: '#7c3aed', SET: '#7c3aed', DO_NOTHING: '#6b7280' };
  function defaultApp() {
    var biggest = null;
    APPS.forEach(function (a) { if (a.models.length && (!biggest || a.models.length > biggest.models.length)) biggest = a; });
    return biggest ? biggest.label : '';
  }

  /* ---- router -------------------------------------------------------------------- */
  function navigate() {
    var raw = location.hash.replace(/^#\/?/, '');
    var parts = raw.split('/').map(function (p) { try { return decodeURIComponent(p); } catch (e) { return p; } });
    if (state.cy && parts[0] !== 'diagram') { state.cy.destroy(); state.cy = null; }
    document.querySelectorAll('header nav a').forEach(function (a) { a.classList.toggle('on', a.getAttribute('data-view') === (parts[0] || 'home')); });
    if (state.current) state.lastModel = state.current;
    if (parts[0] !== 'model') state.current = null;
    if (parts[0] === 'model') modelPage(parts.slice(1).join('/'));
    else if (parts[0] === 'app') appPage(parts[1]);
    else if (parts[0] === 'search') searchPage(parts.slice(1).join('/'));
    else if (parts[0] === 'diagram') {
      if (parts[1] === 'all') diagramPage('all');
      else if (parts[1] === 'model') diagramPage('model', parts[2], parseInt(parts[3] || '1', 10));
      else diagramPage('app', parts[2] || (state.lastModel && BY_ID.has(state.lastModel) ? BY_ID.get(state.lastModel).app_label : ''));
    } else { renderSidebar(); homePage(); }
  }
  window.addEventListener('hashchange', navigate);
  if (window.cytoscape && window.cytoscapeDagre && !window.cytoscape('layout', 'dagre')) {
    window.cytoscape.use(window.cytoscapeDagre);
  }
  renderSidebar();
  navigate();
  document.body.setAttribute('data-ready', 'true');
})();
