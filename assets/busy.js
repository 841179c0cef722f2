// Counts requests in flight so that overlapping calls share one indicator:
// `aria-busy` on <main> for assistive technology and the visible #busy badge
// (the CSS delays it, so quick answers don't flicker).

let active = 0;

/** Marks one request as started; call the returned function when it ends. */
export function startBusy() {
  active += 1;
  update();
  let ended = false;
  return () => {
    if (ended) return;
    ended = true;
    active -= 1;
    update();
  };
}

function update() {
  const busy = active > 0;
  document.getElementById('main')?.setAttribute('aria-busy', String(busy));
  const badge = document.getElementById('busy');
  if (badge) badge.hidden = !busy;
}
