// The Gme search page: plain JS against /api (no build step). Results come from the same code as `gme search`.
'use strict';

const $ = (id) => document.getElementById(id);
const filters = [];
let apiKeyRequired = false;

function headers() {
  const key = $('api-key').value || localStorage.getItem('gme-api-key') || '';
  if (key) localStorage.setItem('gme-api-key', key);
  return key ? { 'X-Api-Key': key } : {};
}

function setStatus(text, isError) {
  $('status').textContent = text;
  $('status').className = isError ? 'error' : '';
}

function renderFilters() {
  const box = $('active-filters');
  box.replaceChildren(...filters.map((f, i) => {
    const chip = document.createElement('span');
    chip.className = 'chip';
    chip.title = 'Remove filter';
    chip.textContent = `${f.key} = ${f.value} ×`;
    chip.addEventListener('click', () => { filters.splice(i, 1); renderFilters(); });
    return chip;
  }));
}

function productName(payload) {
  return payload.name || payload.prod_name || payload.title || '';
}

function renderResults(hits, heading) {
  const grid = $('results');
  grid.replaceChildren(...hits.map((hit) => {
    const card = document.createElement('article');
    card.className = 'product';
    card.dataset.productId = hit.productId;

    const img = document.createElement('img');
    img.loading = 'lazy';
    img.alt = productName(hit.payload) || hit.productId;
    img.src = `/api/products/${encodeURIComponent(hit.productId)}/image`;

    const body = document.createElement('div');
    body.className = 'body';
    const name = document.createElement('div');
    name.className = 'name';
    name.textContent = productName(hit.payload) || hit.productId;
    const meta = document.createElement('div');
    meta.className = 'meta';
    const details = [hit.payload.product_type, hit.payload.colour].filter(Boolean).join(' · ');
    meta.textContent = `${hit.productId} · score ${hit.score.toFixed(4)}${details ? ' · ' + details : ''}`;
    const more = document.createElement('button');
    more.type = 'button';
    more.className = 'more-like-this';
    more.textContent = 'More like this';
    more.addEventListener('click', () => search({ similar: hit.productId }));

    body.append(name, meta, more);
    card.append(img, body);
    return card;
  }));
  setStatus(hits.length ? `${hits.length} results${heading ? ' ' + heading : ''}` : 'No results.');
}

async function readProblem(response) {
  try {
    const problem = await response.json();
    return problem.detail || problem.title || `HTTP ${response.status}`;
  } catch {
    return `HTTP ${response.status}`;
  }
}

async function search({ similar } = {}) {
  const top = $('top').value;
  const q = $('q').value.trim();
  const file = $('image').files[0];
  let response;
  setStatus('Searching…');
  try {
    if (file && !similar) {
      const form = new FormData();
      form.append('image', file);
      if (q) form.append('q', q);
      form.append('top', top);
      filters.forEach((f) => form.append('filter', `${f.key}=${f.value}`));
      response = await fetch('/api/search/image', { method: 'POST', body: form, headers: headers() });
    } else {
      const params = new URLSearchParams({ top });
      if (similar) params.set('similar', similar); else if (q) params.set('q', q);
      filters.forEach((f) => params.append('filter', `${f.key}=${f.value}`));
      response = await fetch(`/api/search?${params}`, { headers: headers() });
    }
  } catch (error) {
    setStatus(`Search failed: ${error.message}`, true);
    return;
  }

  if (!response.ok) {
    if (response.status === 401) $('key-row').hidden = false;
    setStatus(await readProblem(response), true);
    return;
  }

  renderResults(await response.json(), similar ? `like ${similar}` : '');
}

async function init() {
  try {
    const config = await (await fetch('/api/config')).json();
    apiKeyRequired = config.apiKeyRequired;
    $('key-row').hidden = !apiKeyRequired;
    $('filter-key').replaceChildren(...config.filters.map((f) => new Option(f, f)));
  } catch {
    setStatus('Could not load the search configuration.', true);
  }

  $('search-form').addEventListener('submit', (e) => { e.preventDefault(); search(); });
  $('image').addEventListener('change', () => { if ($('image').files.length) search(); });
  $('add-filter').addEventListener('click', () => {
    const key = $('filter-key').value;
    const value = $('filter-value').value.trim();
    if (key && value) {
      filters.push({ key, value });
      $('filter-value').value = '';
      renderFilters();
    }
  });
}

init();
