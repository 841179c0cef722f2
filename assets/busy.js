// Requests in flight share one indicator: `aria-busy` on <main> and the #busy badge.

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
