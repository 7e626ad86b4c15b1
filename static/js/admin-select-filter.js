/*
 * Django's two-box picker (admin/js/SelectFilter2.js) draws a search icon beside each filter
 * box, named by an aria-label on a span with no role, a name assistive technology may never
 * read (axe: aria-prohibited-attr). As an image, its name is read. Django builds the picker
 * when the page has loaded; this listener, added after Django's, runs after it.
 */
window.addEventListener("load", function () {
  document.querySelectorAll(".selector .search-label-icon[aria-label]").forEach(function (icon) {
    icon.setAttribute("role", "img");
  });
});
