// The Review page's keyboard flow and drafts: a Streamlit components.v2 component (main document, no iframe).
//
// Python mounts it on every run with `data` describing the open segment (ids, the selector of its
// editor, the texts that Ctrl+I / Ctrl+1..3 / the term buttons insert, the status Ctrl+Enter saves for
// this role, the account's stored draft of the open segment and the segments it has drafts of).
// Streamlit calls this function again with new data on every run and never calls the returned clean-up
// on a data change, so the document-level listeners are installed once and always read the latest state
// from `window.__wbReview`. Nothing from a document or reviewer is ever written as HTML here: texts go
// through `.value` and `.textContent` only.
//
// Drafts belong to the account, not the browser: unsaved text is sent to the server (a "draft" action,
// a moment after typing stops, on leaving the editor, and with any move away) and kept in the review
// store per account and segment. Until the server's data shows it back, the text also waits in this
// tab's memory (`window.__wbUnsent`, keyed by account and segment, gone on reload), so a switch to
// another page at once loses nothing; nothing is written to the browser's storage.

const DRAFT_DELAY_MS = 800;
const LEGACY_DRAFT_PREFIX = "wb-draft:";

// Drafts of earlier versions lived in localStorage, readable by whoever used the browser next: remove them.
function forgetLegacyDrafts() {
  try {
    for (const key of Object.keys(window.localStorage)) {
      if (key.startsWith(LEGACY_DRAFT_PREFIX)) window.localStorage.removeItem(key);
    }
  } catch (error) {
    // storage may be disabled: nothing to forget
  }
}

function unsentKey(state, segment) {
  return `${state.data.account}\n${segment}`;
}

function unsent(state, segment) {
  return (window.__wbUnsent || {})[unsentKey(state, segment)] || null;
}

// The draft of the open segment: what this tab has not seen stored yet, else what the store holds.
function readDraft(state, segment) {
  if (segment !== state.data.seg) return null;
  const waiting = unsent(state, segment);
  if (waiting) return waiting.text === null ? null : waiting;
  return state.data.draft;
}

// The open segment's unsaved text for an action to carry to the server (null when there is none).
function pendingDraft(state) {
  window.clearTimeout(window.__wbDraftTimer);
  const waiting = unsent(state, state.data.seg);
  return waiting ? { segment: waiting.segment, version: waiting.version, text: waiting.text } : null;
}

function scheduleDraft(state) {
  window.clearTimeout(window.__wbDraftTimer);
  window.__wbDraftTimer = window.setTimeout(() => {
    const current = window.__wbReview;
    if (current && unsent(current, current.data.seg)) send(current, { kind: "draft" });
  }, DRAFT_DELAY_MS);
}

// Forget what the server now shows back (or what a save replaced).
function acknowledge(state) {
  const waiting = unsent(state, state.data.seg);
  if (!waiting) return;
  const stored = state.data.draft;
  const same = waiting.text === null ? !stored : stored && stored.text === waiting.text;
  if (same) delete window.__wbUnsent[unsentKey(state, state.data.seg)];
}

function editor(state) {
  const selector = state.data.editor;
  return selector ? document.querySelector(selector) : null;
}

// Set a React-controlled textarea's value so that Streamlit sees it as typed (form state and drafts).
function setText(box, text) {
  const setter = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value").set;
  setter.call(box, text);
  box.dispatchEvent(new Event("input", { bubbles: true }));
}

function insertAtCursor(box, text) {
  const start = box.selectionStart ?? box.value.length;
  const end = box.selectionEnd ?? box.value.length;
  const before = box.value.slice(0, start);
  const after = box.value.slice(end);
  const gap = before && !/\s$/.test(before) ? " " : "";
  // A term put between two words needs a space on both sides ("Station Party", not "StationParty").
  const trail = after && !/^[\s.,;:!?)\]}”’"'…]/.test(after) ? " " : "";
  setText(box, before + gap + text + trail + after);
  const cursor = (before + gap + text).length;
  box.setSelectionRange(cursor, cursor);
}

function send(state, action) {
  const draft = pendingDraft(state);
  if (action.kind === "save" && window.__wbUnsent) {
    delete window.__wbUnsent[unsentKey(state, state.data.seg)];  // the save clears the stored draft
  }
  state.setTriggerValue("action", { ...action, draft: action.kind === "save" ? null : draft, nonce: Date.now() });
}

function save(state, status) {
  const box = editor(state);
  if (!state.data.can_edit || !box) return;
  send(state, { kind: "save", segment: state.data.seg, version: state.data.version, text: box.value,
                status, advance: true });
}

function insertSuggestion(state, text) {
  const box = editor(state);
  if (!box || text === null || text === undefined) return;
  setText(box, text);
  box.focus();
}

function onKey(event) {
  const state = window.__wbReview;
  if (!state || !state.parent.isConnected) return;
  const ctrl = event.ctrlKey || event.metaKey;
  let handled = true;
  if (ctrl && event.key === "Enter") {
    save(state, event.shiftKey ? "translated" : state.data.approve_status || "approved");
  } else if (event.altKey && !ctrl && (event.key === "ArrowDown" || event.key === "ArrowUp")) {
    send(state, { kind: "move", step: event.key === "ArrowDown" ? 1 : -1 });
  } else if (ctrl && event.shiftKey && (event.key === "F" || event.key === "f")) {
    send(state, { kind: "next_flagged" });
  } else if (ctrl && !event.shiftKey && (event.key === "i" || event.key === "I")) {
    insertSuggestion(state, state.data.mt);
  } else if ((ctrl || event.altKey) && !event.shiftKey && ["1", "2", "3"].includes(event.key)) {
    insertSuggestion(state, (state.data.tm || [])[Number(event.key) - 1]);
  } else {
    handled = false;
  }
  if (handled) {
    event.preventDefault();
    event.stopPropagation();
  }
}

function onClick(event) {
  const state = window.__wbReview;
  if (!state || !state.parent.isConnected) return;
  const button = event.target.closest("[data-wb-action]");
  if (button) {
    const index = Number(button.dataset.wbIndex || 0);
    const action = button.dataset.wbAction;
    if (action === "insert-mt") insertSuggestion(state, state.data.mt);
    if (action === "insert-tm") insertSuggestion(state, (state.data.tm || [])[index]);
    if (action === "insert-term") {
      const box = editor(state);
      const term = (state.data.terms || [])[index];
      if (box && term) {
        insertAtCursor(box, term);
        box.focus();
      }
    }
    if (action === "replace-word") replaceWord(state, button.dataset.wbWord, button.dataset.wbWith);
    if (action === "use-draft") {
      const box = editor(state);
      const draft = readDraft(state, state.data.seg);
      if (box && draft) setText(box, draft.text);
    }
    event.preventDefault();
    return;
  }
  const row = event.target.closest("[data-wb-seg]");
  if (row) send(state, { kind: "open", segment: Number(row.dataset.wbSeg) });
}

// A spelling suggestion: every whole-word occurrence of the misspelled word in the editor's text.
function replaceWord(state, word, replacement) {
  const box = editor(state);
  if (!box || !word || replacement === undefined) return;
  const escaped = word.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${escaped}(?![\\p{L}\\p{N}_])`, "gu");
  if (!pattern.test(box.value)) return;
  pattern.lastIndex = 0;
  setText(box, box.value.replace(pattern, () => replacement));
  box.focus();
}

function showDraftNote(state, box, note) {
  note.textContent = "";
  const draft = readDraft(state, state.data.seg);
  if (!draft || draft.text === box.value) return;
  if (draft.version === state.data.version) {
    setText(box, draft.text);
    note.textContent = "Your unsaved draft of this segment is back in the editor.";
    return;
  }
  // Someone saved a newer version since the draft was typed: show it, never apply it silently.
  note.append(`Your unsaved draft (typed on version ${draft.version}; the segment is now version `
              + `${state.data.version}): `);
  const text = document.createElement("q");
  text.textContent = draft.text;
  const use = document.createElement("button");
  use.textContent = "Use my draft";
  use.dataset.wbAction = "use-draft";
  note.append(text, " ", use);
}

function attach(state, note) {
  const box = editor(state);
  if (!box) return false;
  const segment = state.data.seg;
  const version = state.data.version;
  if (box.dataset.wbSegment !== `${segment}:${version}`) {
    box.dataset.wbSegment = `${segment}:${version}`;
    const initial = box.value;
    box.addEventListener("input", () => {
      const current = window.__wbReview;
      if (!current || current.data.seg !== segment) return;
      window.__wbUnsent = window.__wbUnsent || {};
      window.__wbUnsent[unsentKey(current, segment)] = {
        segment, version, text: box.value === initial ? null : box.value };
      scheduleDraft(current);
    });
    // Leaving the editor (a click on a row, a button, another page's link) sends the draft at once.
    box.addEventListener("blur", () => {
      const current = window.__wbReview;
      if (current && current.data.seg === segment && unsent(current, segment)) send(current, { kind: "draft" });
    });
    showDraftNote(state, box, note);
    box.focus();
    // The editor opens at the start of its text, scrolled to its first line.
    box.setSelectionRange(0, 0);
    box.scrollTop = 0;
  } else if (!document.activeElement || document.activeElement === document.body) {
    box.focus();  // after a refusal or any rerun that left the focus nowhere: back to the editor
  }
  return true;
}

function markDrafts(state) {
  const drafted = new Set((state.data.drafts || []).map(String));
  for (const row of document.querySelectorAll("[data-wb-seg]")) {
    row.classList.toggle("wb-has-draft", drafted.has(row.dataset.wbSeg));
  }
  const open = document.querySelector(`[data-wb-seg="${state.data.seg}"]`);
  if (open) open.scrollIntoView({ block: "nearest" });
}

export default function (component) {
  const { data, setTriggerValue, parentElement } = component;
  window.__wbReview = { data, setTriggerValue, parent: parentElement };
  acknowledge(window.__wbReview);
  if (unsent(window.__wbReview, data.seg)) send(window.__wbReview, { kind: "draft" });  // not stored yet: now
  if (!window.__wbReviewInstalled) {
    window.__wbReviewInstalled = true;
    forgetLegacyDrafts();
    document.addEventListener("keydown", onKey, true);
    document.addEventListener("click", onClick, true);
  }
  let note = parentElement.querySelector(".wb-draft-note");
  if (!note) {
    note = document.createElement("div");
    note.className = "wb-draft-note";
    note.style.cssText = "color:#92400e;font-size:0.85em";
    parentElement.appendChild(note);
  }
  const state = window.__wbReview;
  // The editor of this run may appear a moment after the component: look for it on every frame (3 s at most).
  const started = performance.now();
  const look = () => {
    if (window.__wbReview !== state) return;
    if (attach(state, note) || performance.now() - started > 3000) {
      markDrafts(state);
      return;
    }
    requestAnimationFrame(look);
  };
  look();
}
