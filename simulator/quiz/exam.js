// The exam page's "save" button (simulator/quiz/render.py): read the answers from the
// page, sign them as simulator/quiz/responses.py does — HMAC-SHA256 with the student's
// key over the canonical JSON (sorted keys, no spaces, UTF-8) — and download the file.
"use strict";

function canonical(value) {
  if (Array.isArray(value)) {
    return "[" + value.map(canonical).join(",") + "]";
  }
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort();
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

function answerOf(section) {
  const kind = section.dataset.kind;
  const checked = [...section.querySelectorAll("input:checked")].map((i) => i.value);
  if (kind === "single") {
    return checked.length ? Number(checked[0]) : null;
  }
  if (kind === "truefalse") {
    return checked.length ? checked[0] === "true" : null;
  }
  if (kind === "multiple") {
    return checked.map(Number);
  }
  if (kind === "matching") {
    return [...section.querySelectorAll("select")].map((s) => (s.value === "" ? null : Number(s.value)));
  }
  if (kind === "cloze") {
    const blanks = {};
    section.querySelectorAll("input[data-blank]").forEach((i) => { blanks[i.dataset.blank] = i.value; });
    return blanks;
  }
  if (kind === "task") {
    return section.querySelector("textarea").value.split("\n").map((l) => l.trim()).filter((l) => l);
  }
  const text = section.querySelector("input[type=text]").value;
  if (kind === "ordering") {
    return text.split(/[\s,]+/).filter((w) => w).map(Number);
  }
  return text;
}

async function signed(document, keyHex) {
  const key = new Uint8Array(keyHex.match(/../g).map((h) => parseInt(h, 16)));
  const cryptoKey = await crypto.subtle.importKey("raw", key, { name: "HMAC", hash: "SHA-256" },
                                                  false, ["sign"]);
  const data = new TextEncoder().encode(canonical(document));
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, data));
  const signature = [...mac].map((b) => b.toString(16).padStart(2, "0")).join("");
  return Object.assign({}, document, { signature });
}

async function collect(config, root) {
  const responses = {};
  root.querySelectorAll("section.q").forEach((s) => { responses[s.dataset.item] = answerOf(s); });
  return signed({ bank: config.bank, student: config.student, responses }, config.key);
}

if (typeof document !== "undefined" && typeof MAILSIM_EXAM !== "undefined") {
  document.getElementById("save").addEventListener("click", async () => {
    const file = await collect(MAILSIM_EXAM, document);
    const link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([JSON.stringify(file, null, 1)],
                                             { type: "application/json" }));
    link.download = "responses-" + MAILSIM_EXAM.student + ".json";
    link.click();
  });
}
if (typeof module !== "undefined") {
  module.exports = { canonical, signed };
}
