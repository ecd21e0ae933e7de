// One polite live region for what screen-reader users must hear: result counts, errors.
export function announcer(region) {
  let timer = null;
  return (message) => {
    // Clearing first makes the same message be read again after a change.
    clearTimeout(timer);
    region.textContent = "";
    timer = setTimeout(() => { region.textContent = message; }, 50);
  };
}
