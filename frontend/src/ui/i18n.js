// The interface's words in the page's language, from the messages the server put into the page.
import { formatCount, pluralForm } from "../data/format.js";

export function translator(messages, lang) {
  const fill = (text, vars) => text.replace(/\{(\w+)\}/g, (whole, name) =>
    name in vars ? String(vars[name]) : whole);
  const t = (key, vars = {}) => fill(messages[key] ?? key, vars);
  // count_zero / count_one / count_few … chosen by the language's plural rules.
  t.plural = (base, n, vars = {}) => {
    const forms = n === 0 ? ["zero", pluralForm(n, lang), "other"] : [pluralForm(n, lang), "other"];
    const key = forms.map((f) => `${base}_${f}`).find((k) => k in messages) ?? `${base}_other`;
    return t(key, { n: formatCount(n, lang), ...vars });
  };
  return t;
}
