// The usage record of the programme menu: which item a person opens, told to the server as
// the browser follows the link (a beacon survives the page being left).  Only the item's
// name is sent, never where the person was or went.
document.addEventListener("click", (event) => {
  const link = event.target.closest("[data-programme-menu] a[data-menu-item]");
  const token = document.querySelector('input[name="csrf_token"]')?.value;
  if (!link || !token) return;
  const told = new URLSearchParams({ item: link.dataset.menuItem, csrf_token: token });
  navigator.sendBeacon("/menu/opened", told);
});
