// The player's browser side (anywidget): a full-screen button, ←/→ stepping while the
// player has the focus, and the transcript window kept scrolled to the current row.
// Python does all the stepping; this file only forwards keys and moves scrollbars.

const STYLE_ID = "mailsim-player-style";
const STYLE = `
.mailsim-player:focus-visible { outline: 2px solid #0072B2; outline-offset: 2px; }
.mailsim-player:fullscreen { background: var(--jp-layout-color0, white); padding: 12px;
  overflow: auto; }
.mailsim-player:fullscreen .mailsim-window { height: 46vh; }
.mailsim-player:fullscreen .mailsim-details { max-height: 40vh; }
.mailsim-player:fullscreen .mailsim-picture { max-height: 85vh !important; }
`;
const KEYS = { ArrowRight: "forward", ArrowLeft: "back", Home: "first", End: "last" };

function addStyle() {
  if (!document.getElementById(STYLE_ID)) {
    const style = document.createElement("style");
    style.id = STYLE_ID;
    style.textContent = STYLE;
    document.head.appendChild(style);
  }
}

// Centre the current row inside the transcript window, without scrolling the page.
function follow(player) {
  const box = player.querySelector(".mailsim-window");
  const row = box && box.querySelector("[data-current='true']");
  if (row) {
    const top = row.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop += top - (box.clientHeight - row.offsetHeight) / 2;
  }
}

function attach(model, el, player) {
  player.tabIndex = 0;                                   // focusable: keys reach it
  player.setAttribute("data-lm-suppress-shortcuts", "true");   // JupyterLab keeps out
  const onKey = (event) => {
    const move = KEYS[event.key];
    if (!move || event.target.closest("input, textarea, select")) return;
    event.preventDefault();
    event.stopPropagation();
    model.send({ move });
  };
  player.addEventListener("keydown", onKey);
  const observer = new MutationObserver(() => follow(player));
  observer.observe(player, { childList: true, subtree: true, characterData: true });
  follow(player);
  return () => { player.removeEventListener("keydown", onKey); observer.disconnect(); };
}

function render({ model, el }) {
  addStyle();
  const button = document.createElement("button");
  button.className = "jupyter-button widget-button mailsim-fullscreen";
  const icon = document.createElement("i");
  icon.className = "fa fa-expand";                       // Font Awesome, as ipywidgets' icons
  button.appendChild(icon);
  button.style.width = "40px";
  const label = () => {
    button.title = model.get("label");
    button.setAttribute("aria-label", model.get("label"));
  };
  label();
  model.on("change:label", label);
  el.appendChild(button);
  let detach = null;
  let tries = 0;
  // The view is put into the page after render() returns: wait (a bounded number of
  // frames) until it is, then find the player around it.
  const find = () => {
    const player = el.closest(".mailsim-player");
    if (player) {
      detach = attach(model, el, player);
      button.onclick = () => document.fullscreenElement ? document.exitFullscreen()
        : player.requestFullscreen();
    } else if (tries++ < 600) {
      requestAnimationFrame(find);
    }
  };
  find();
  return () => { if (detach) detach(); };
}

export default { render };
