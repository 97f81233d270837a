// The problem page's editor: Monaco (BlazorMonaco's scripts) is loaded here, on demand, so other pages do not pay for
// it; and the Run/Submit keyboard shortcuts work wherever the focus is (inside the editor Monaco's own actions
// handle them, so events from the editor are left alone here).
let loading;

function addScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error('Could not load ' + src));
    document.head.appendChild(script);
  });
}

export function loadMonaco() {
  if (window.monaco && window.blazorMonaco) {
    return Promise.resolve();
  }
  loading ??= (async () => {
    await addScript('_content/BlazorMonaco/jsInterop.js');
    await addScript('_content/BlazorMonaco/lib/monaco-editor/min/vs/loader.js');
    await addScript('_content/BlazorMonaco/lib/monaco-editor/min/vs/editor/editor.main.js');
  })();
  return loading;
}

let handler;

export function listenShortcuts(page) {
  stopShortcuts();
  handler = (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.key !== 'Enter') {
      return;
    }
    if (e.target && e.target.closest && e.target.closest('.monaco-editor')) {
      return;
    }
    e.preventDefault();
    page.invokeMethodAsync(e.shiftKey ? 'SubmitFromKeyboard' : 'RunFromKeyboard');
  };
  document.addEventListener('keydown', handler);
}

export function stopShortcuts() {
  if (handler) {
    document.removeEventListener('keydown', handler);
  }
  handler = undefined;
}
