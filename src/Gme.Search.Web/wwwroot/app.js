// The Gme search page: plain JS against /api (no build step, nothing loaded from elsewhere). Results come from the
// same code as `gme search`. The search (query, "more like this", mode, filters, top-k, collection) lives in the URL,
// so a search can be shared and the browser's back and forward buttons restore it: every new search pushes a history
// entry, and popstate runs the search the restored URL describes.
'use strict';

const $ = (id) => document.getElementById(id);
const DEFAULT_TOP = '20';
const DEFAULT_MODE = 'hybrid';

let apiKeyRequired = false;
let defaultCollection = '';
let filterKeys = [];
let current = emptyState();
let sequence = 0; // the newest search; answers to older ones are dropped so a slow reply cannot overwrite a newer one

function emptyState() {
  return { q: '', similar: '', mode: DEFAULT_MODE, top: DEFAULT_TOP, collection: '', filters: [] };
}

// --- URL <-> state ----------------------------------------------------------------------------------------------

function stateFromUrl() {
  const params = new URLSearchParams(window.location.search);
  const state = emptyState();
  state.q = params.get('q') || '';
  state.similar = params.get('similar') || '';
  state.mode = params.get('mode') || DEFAULT_MODE;
  state.top = params.get('top') || DEFAULT_TOP;
  state.collection = params.get('collection') || '';
  state.filters = params.getAll('filter')
    .map((f) => { const at = f.indexOf('='); return at > 0 ? { key: f.slice(0, at), value: f.slice(at + 1) } : null; })
    .filter(Boolean);
  return state;
}

// The API's parameters for a state; the page's URL uses the same ones, leaving defaults out so links stay short.
function searchParams(state, { forUrl = false } = {}) {
  const params = new URLSearchParams();
  if (state.similar) params.set('similar', state.similar);
  else if (state.q) params.set('q', state.q);
  if (!forUrl || state.mode !== DEFAULT_MODE) params.set('mode', state.mode);
  if (!forUrl || state.top !== DEFAULT_TOP) params.set('top', state.top);
  if (state.collection) params.set('collection', state.collection);
  state.filters.forEach((f) => params.append('filter', `${f.key}=${f.value}`));
  return params;
}

function urlFor(state) {
  const query = searchParams(state, { forUrl: true }).toString();
  return `${window.location.pathname}${query ? '?' + query : ''}`;
}

function stateToForm(state) {
  $('q').value = state.similar ? '' : state.q;
  $('mode').value = state.mode;
  if ($('mode').value !== state.mode) $('mode').value = DEFAULT_MODE;
  if (![...$('top').options].some((o) => o.value === state.top)) $('top').append(new Option(state.top, state.top));
  $('top').value = state.top;
  if (state.collection && ![...$('collection').options].some((o) => o.value === state.collection)) {
    $('collection').append(new Option(state.collection, state.collection));
  }
  $('collection').value = state.collection || defaultCollection;
  renderActiveFilters(state);
}

function formToState() {
  const state = { ...current, similar: '', filters: [...current.filters] };
  state.q = $('q').value.trim();
  state.mode = $('mode').value;
  state.top = $('top').value;
  const collection = $('collection-row').hidden ? '' : $('collection').value;
  state.collection = collection && collection !== defaultCollection ? collection : '';
  return state;
}

// A new search from the page: a history entry for it (unless the URL already says exactly this), then the search.
function navigate(state) {
  current = state;
  const url = urlFor(state);
  if (url !== window.location.pathname + window.location.search) history.pushState(null, '', url);
  stateToForm(state);
  run(state);
}

// --- requests ---------------------------------------------------------------------------------------------------

function headers() {
  if (!apiKeyRequired) return {};
  const key = $('api-key').value || sessionStorage.getItem('gme-api-key') || '';
  if (key) sessionStorage.setItem('gme-api-key', key);
  return key ? { 'X-Api-Key': key } : {};
}

async function readProblem(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function getJson(path, params) {
  const response = await fetch(`${path}?${params}`, { headers: headers() });
  if (!response.ok) throw new Error(await readProblem(response));
  return response.json();
}

async function run(state) {
  const mine = ++sequence;
  if (!state.q && !state.similar) {
    $('results').replaceChildren();
    renderFacets(null, state);
    setStatus('');
    return;
  }

  setStatus('Searching…');
  const hits = getJson('/api/search', searchParams(state));
  const facets = getJson('/api/facets', (() => { const p = searchParams(state); p.delete('top'); return p; })());
  try {
    const found = await hits;
    if (mine !== sequence) return;
    renderResults(found, state.similar ? `like ${state.similar}` : `for “${state.q}”`);
  } catch (error) {
    if (mine !== sequence) return;
    $('results').replaceChildren();
    setStatus(error.message, true);
  }

  try {
    const counted = await facets;
    if (mine === sequence) renderFacets(counted, state);
  } catch {
    if (mine === sequence) renderFacets(null, state);
  }
}

async function searchByImage(file) {
  const mine = ++sequence;
  const state = formToState();
  const form = new FormData();
  form.append('image', file);
  if (state.q) form.append('q', state.q);
  form.append('top', state.top);
  if (state.collection) form.append('collection', state.collection);
  state.filters.forEach((f) => form.append('filter', `${f.key}=${f.value}`));
  setStatus('Searching…');
  renderFacets(null, state);
  try {
    const response = await fetch('/api/search/image', { method: 'POST', body: form, headers: headers() });
    if (!response.ok) throw new Error(await readProblem(response));
    const found = await response.json();
    if (mine === sequence) renderResults(found, `like ${file.name}`);
  } catch (error) {
    if (mine === sequence) setStatus(`Search failed: ${error.message}`, true);
  }
}

// --- rendering --------------------------------------------------------------------------------------------------

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

function label(key) {
  return key.replaceAll('_', ' ');
}

function toggleFilter(key, value, on) {
  const filters = current.filters.filter((f) => !(f.key === key && f.value === value));
  if (on) filters.push({ key, value });
  navigate({ ...current, filters });
}

function renderActiveFilters(state) {
  $('active-filters').replaceChildren(...state.filters.map((f) => {
    const item = document.createElement('li');
    const chip = document.createElement('button');
    chip.type = 'button';
    chip.className = 'chip';
    chip.textContent = `${label(f.key)} = ${f.value} ×`;
    chip.setAttribute('aria-label', `Remove filter ${label(f.key)} = ${f.value}`);
    chip.addEventListener('click', () => toggleFilter(f.key, f.value, false));
    item.append(chip);
    return item;
  }));
}

// One fieldset per keyword field: its values among the query's candidates, with counts, as checkboxes. A selected
// value the candidates no longer hold is still listed (count 0) so it can be unticked.
function renderFacets(counted, state) {
  const box = $('facets');
  if (!counted) {
    box.replaceChildren();
    box.hidden = true;
    return;
  }

  const groups = counted.facets.map((facet) => {
    const values = [...facet.values];
    state.filters.filter((f) => f.key === facet.key && !values.some((v) => v.value === f.value))
      .forEach((f) => values.push({ value: f.value, count: 0 }));
    if (!values.length) return null;

    const group = document.createElement('fieldset');
    group.className = 'facet';
    group.dataset.key = facet.key;
    const legend = document.createElement('legend');
    legend.textContent = label(facet.key);
    group.append(legend);
    values.forEach((v) => {
      const row = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.value = v.value;
      box.dataset.key = facet.key;
      box.checked = state.filters.some((f) => f.key === facet.key && f.value === v.value);
      box.addEventListener('change', () => toggleFilter(facet.key, v.value, box.checked));
      const count = document.createElement('span');
      count.className = 'count';
      count.textContent = `(${v.count})`;
      row.append(box, ` ${v.value} `, count);
      group.append(row);
    });
    return group;
  }).filter(Boolean);

  const note = document.createElement('p');
  note.className = 'facet-note';
  note.textContent = `Counts over the first ${counted.candidates} matches.`;
  box.replaceChildren(...groups, note);
  box.hidden = groups.length === 0;
}

function productName(payload) {
  return payload.name || payload.prod_name || payload.title || '';
}

function legsText(legs) {
  if (!legs || !legs.length) return 'Found by the store’s own fusion (legs not reported)';
  return `Found by the ${legs.join(' and ')} ${legs.length > 1 ? 'legs' : 'leg'}`;
}

function renderResults(hits, heading) {
  const grid = $('results');
  grid.replaceChildren(...hits.map((hit) => {
    const name = productName(hit.payload) || hit.productId;
    const card = document.createElement('article');
    card.className = 'product';
    card.dataset.productId = hit.productId;
    card.dataset.legs = (hit.legs || []).join(' ');

    const img = document.createElement('img');
    img.loading = 'lazy';
    img.alt = name;
    img.src = `/api/products/${encodeURIComponent(hit.productId)}/image`;

    const body = document.createElement('div');
    body.className = 'body';
    const title = document.createElement('h2');
    title.className = 'name';
    title.textContent = name;
    const meta = document.createElement('div');
    meta.className = 'meta';
    const details = [hit.payload.product_type, hit.payload.colour].filter(Boolean).join(' · ');
    meta.textContent = `${hit.productId} · score ${hit.score.toFixed(4)}${details ? ' · ' + details : ''}`;

    // Which retrieval legs found the hit: a short badge, the full sentence on hover (title) and for screen readers.
    const legs = document.createElement('span');
    legs.className = 'legs';
    legs.title = legsText(hit.legs);
    const short = document.createElement('span');
    short.setAttribute('aria-hidden', 'true');
    short.textContent = hit.legs && hit.legs.length ? hit.legs.join(' + ') : 'fused';
    const spoken = document.createElement('span');
    spoken.className = 'visually-hidden';
    spoken.textContent = legs.title;
    legs.append(short, spoken);

    const more = document.createElement('button');
    more.type = 'button';
    more.className = 'more-like-this';
    more.textContent = 'More like this';
    more.setAttribute('aria-label', `More like ${name}`);
    more.addEventListener('click', () => navigate({ ...current, q: '', similar: hit.productId }));

    body.append(title, meta, legs, more);
    card.append(img, body);
    return card;
  }));
  setStatus(hits.length ? `${hits.length} results ${heading}` : 'No results.');
}

// --- start ------------------------------------------------------------------------------------------------------

async function loadConfig() {
  try {
    const config = await (await fetch('/api/config')).json();
    apiKeyRequired = Boolean(config.apiKeyRequired);
    defaultCollection = config.collection || '';
    filterKeys = config.filters || [];
    $('key-row').hidden = !apiKeyRequired;
    $('filter-key').replaceChildren(...filterKeys.map((f) => new Option(label(f), f)));
  } catch {
    setStatus('Could not load the search configuration.', true);
  }
}

// The collection picker shows only where the service lists its collections (GET /api/collections).
async function loadCollections() {
  try {
    const response = await fetch('/api/collections', { headers: headers() });
    if (!response.ok) return;
    const collections = await response.json();
    if (!Array.isArray(collections) || collections.length === 0) return;
    $('collection').replaceChildren(...collections.map((c) =>
      new Option(typeof c.points === 'number' ? `${c.name} (${c.points})` : c.name, c.name)));
    if (!defaultCollection) defaultCollection = collections[0].name;
    $('collection-row').hidden = false;
  } catch {
    // No picker: searches go to the service's default collection.
  }
}

async function init() {
  await loadConfig();
  await loadCollections();

  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); navigate(formToState()); });
  $('mode').addEventListener('change', () => navigate(formToState()));
  $('top').addEventListener('change', () => navigate(formToState()));
  $('collection').addEventListener('change', () => navigate({ ...formToState(), filters: [] }));
  $('image').addEventListener('change', () => { if ($('image').files.length) searchByImage($('image').files[0]); });
  $('add-filter').addEventListener('click', () => {
    const key = $('filter-key').value;
    const value = $('filter-value').value.trim();
    if (key && value) {
      $('filter-value').value = '';
      toggleFilter(key, value, true);
    }
  });
  window.addEventListener('popstate', () => {
    current = stateFromUrl();
    stateToForm(current);
    run(current);
  });

  current = stateFromUrl();
  stateToForm(current);
  await run(current);
  document.body.dataset.ready = 'true';
}

init();
