// The page's small DOM helper, shared by the settings form and the explorer.

/**
 * An element with attributes (`class` as className; true as an empty attribute;
 * undefined, null and false left out) and children (nodes, or text).
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}
