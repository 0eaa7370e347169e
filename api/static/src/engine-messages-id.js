// The engine's validation messages (orchestrator/engine/model.py, orchestrator/durations.py,
// api/process_admin.py) are English, as the API returns them; the modeler shows them in
// Indonesian. Each pattern keeps the element id and the owner's own words (names, conditions).
const TASKS = {
  scriptTask: 'Tugas skrip', serviceTask: 'Tugas layanan', sendTask: 'Tugas kirim',
  businessRuleTask: 'Tugas aturan bisnis',
};
const NO_CODE = 'tidak diizinkan (server tidak menjalankan kode)';

const CONDITION_REASONS = [
  [/^expression longer than (\d+) characters$/, (m) => `ekspresi lebih dari ${m[1]} karakter`],
  [/^syntax error: (.*)$/s, (m) => `galat sintaks (${m[1]})`],
  [/^'(\w+)' is not allowed in a condition$/, (m) => `'${m[1]}' tidak diizinkan dalam syarat`],
  [/^name '(.*)' is not allowed$/, (m) => `nama '${m[1]}' tidak diizinkan`],
  [/^subscripts must be constants$/, () => 'indeks harus berupa konstanta'],
  [/^only numbers may be multiplied$/, () => 'hanya angka yang boleh dikalikan'],
  [/^only numbers may be negated$/, () => 'hanya angka yang boleh dinegatifkan'],
];

const DURATION_RULES = [
  [/^durations is not JSON: (.*)$/s, (m) => `durations bukan JSON yang sah (${m[1]})`],
  [/^durations must be a list of rules \(objects\)$/,
    () => 'durations harus berupa daftar aturan (objek)'],
  [/^durations rule (\d+): unknown keys (.*)$/s,
    (m) => `aturan durations ke-${m[1]}: kunci tidak dikenal ${m[2]}`],
  [/^durations rule (\d+): duration (.*) is not a time$/s,
    (m) => `aturan durations ke-${m[1]}: durasi ${m[2]} bukan lama waktu`],
  [/^durations rule (\d+): (.*)$/s, (m) => `aturan durations ke-${m[1]}: ${m[2]}`],
];

function firstMatch(catalogue, text) {
  for (const [pattern, render] of catalogue) {
    const m = pattern.exec(text);
    if (m) return render(m);
  }
  return null;
}

export const MESSAGES = [
  [/^(\S+): (scriptTask|serviceTask|sendTask|businessRuleTask) is not allowed \(no code runs on the server\)$/,
    (m) => `${m[1]}: ${TASKS[m[2]]} ${NO_CODE}.`],
  [/^spiffworkflow:(\w+) is not allowed \(no code runs on the server\)$/,
    (m) => `spiffworkflow:${m[1]} ${NO_CODE}.`],
  [/^lane '(.*)' \((.*)\) is not a role in the roles registry$/,
    (m) => `Lajur '${m[1]}' (${m[2]}) bukan peran dalam daftar peran.`],
  [/^process property handling_role '(.*)' is not a role in the registry/,
    (m) => `Properti proses handling_role '${m[1]}' bukan peran dalam daftar peran (proses `
      + 'rahasia memerlukan peran yang menangani pelapornya).'],
  [/^(\S+): task is not allowed \(a step for a person is a userTask with a form\)$/,
    (m) => `${m[1]}: tugas umum tidak diizinkan (langkah yang dikerjakan orang adalah tugas `
      + 'pengguna dengan formulir: ganti jenisnya menjadi Tugas pengguna).'],
  [/^process property starters: '(.*)' is not a lane of the process$/,
    (m) => `Properti proses starters: '${m[1]}' bukan lajur proses ini (yang memulai kasus `
      + 'harus memegang salah satu lajurnya).'],
  [/^process property start_form is not a valid JSON Schema: (.*)$/s,
    (m) => `Formulir awal (properti proses start_form) bukan JSON Schema yang sah: ${m[1]}`],
  [/^process property start_form must describe an object$/,
    () => 'Formulir awal (properti proses start_form) harus berjenis objek ("type": "object").'],
  [/^(\S+): a boundary timer must be attached to a user task$/,
    (m) => `${m[1]}: timer batas harus melekat pada tugas pengguna.`],
  [/^(\S+): a timer needs one timeDuration or timeDate expression$/,
    (m) => `${m[1]}: timer memerlukan satu ekspresi timeDuration atau timeDate.`],
  [/^(\S+): timer (?:expression '(.*)' )?refused: (.*)$/s,
    (m) => `${m[1]}: timer${m[2] ? ` '${m[2]}'` : ''} ditolak: ${m[3]}`],
  [/^(\S+): condition '(.*)' refused: (.*)$/s,
    (m) => `${m[1]}: syarat '${m[2]}' ditolak: ${firstMatch(CONDITION_REASONS, m[3]) || m[3]}.`],
  [/^(\S+): user task must lie in a lane that names a role$/,
    (m) => `${m[1]}: tugas pengguna harus berada di lajur yang bernama peran.`],
  [/^(\S+): every outgoing flow of a decision needs a condition$/,
    (m) => `${m[1]}: setiap alur keluar dari gerbang keputusan memerlukan syarat.`],
  [/^(\S+): property 'form' is not a valid JSON Schema: (.*)$/s,
    (m) => `${m[1]}: formulir (properti 'form') bukan JSON Schema yang sah: ${m[2]}`],
  [/^(\S+): property 'form' must describe an object$/,
    (m) => `${m[1]}: formulir (properti 'form') harus berjenis objek ("type": "object").`],
  [/^(\S+): (durations .*)$/s, (m) => {
    const text = firstMatch(DURATION_RULES, m[2]);
    return text ? `${m[1]}: ${text}.` : null;
  }],
  [/^(\S+): the deployed version is sensitive \(sensitive=true\); a new version must keep that process property$/,
    (m) => `${m[1]}: versi yang berlaku bersifat rahasia (sensitive=true); versi baru harus `
      + 'mempertahankan properti proses itu.'],
  [/^BPMN larger than (\d+) KiB$/, (m) => `BPMN lebih besar dari ${m[1]} KiB.`],
  [/^refused XML: (\w+) \(DTDs and entities are not allowed\)$/,
    (m) => `XML ditolak: ${m[1]} (DTD dan entitas tidak diizinkan).`],
  [/^not well-formed XML: (.*)$/s, (m) => `XML tidak tersusun dengan benar (${m[1]}).`],
  [/^not a BPMN 2.0 document \(root must be bpmn:definitions\)$/,
    () => 'Bukan dokumen BPMN 2.0 (akarnya harus bpmn:definitions).'],
  [/^no executable process with id '(.*)' \(found: (.*)\)$/,
    (m) => `Tidak ada proses yang dapat dijalankan dengan ID '${m[1]}' (ditemukan: `
      + `${m[2] === 'none' ? 'tidak ada' : m[2]}).`],
];

// The page endpoints already answer these in Indonesian (api/process_admin.py's Problems).
const INDONESIAN = /^(Kunci '|ID proses yang dapat dijalankan|Proses baru memerlukan|Lajur ')/;

/** The Indonesian of one engine message; an unknown one is shown whole after a note. */
export function engineMessage(text) {
  const message = String(text);
  if (INDONESIAN.test(message)) return message;
  for (const [pattern, render] of MESSAGES) {
    const m = pattern.exec(message);
    const rendered = m && render(m);
    if (rendered) return rendered;
  }
  return `Pesan mesin alur kerja (belum diterjemahkan): ${message}`;
}
