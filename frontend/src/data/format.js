// Numbers as people in each language write them. Pure.

const LOCALES = { de: "de-DE", en: "en-GB", uk: "uk-UA", ar: "ar" };

export function locale(lang) {
  return LOCALES[lang] || "de-DE";
}

// 850 m, 1,2 km, 12 km: a tenth of a kilometre below 10 km, whole kilometres above.
export function formatDistance(metres, lang) {
  if (metres === null || metres === undefined || !Number.isFinite(Number(metres))) return "";
  const m = Number(metres);
  const loc = locale(lang);
  if (m < 1000) {
    const rounded = m < 100 ? Math.round(m / 10) * 10 : Math.round(m / 50) * 50;
    if (rounded < 1000) {
      return new Intl.NumberFormat(loc, { style: "unit", unit: "meter", maximumFractionDigits: 0 })
        .format(Math.max(rounded, 10));
    }
  }
  const km = m / 1000;
  const digits = km < 10 ? 1 : 0;
  return new Intl.NumberFormat(loc, {
    style: "unit", unit: "kilometer", minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(km);
}

export function formatCount(n, lang) {
  return new Intl.NumberFormat(locale(lang)).format(n);
}

// The ICU plural category picks the message form: uk has one/few/many/other, ar six forms.
export function pluralForm(n, lang) {
  return new Intl.PluralRules(locale(lang)).select(n);
}
