// The idle-timeout warning (WCAG 2.2.1 Timing adjustable). Two minutes before the server would
// end the session, a modal dialog opens with focus on its heading; "Stay signed in" asks the
// server to extend the session and puts focus back where it was; Escape does the same. If
// nobody answers, the page signs out (the server would have ended the session anyway).
const dialog = document.getElementById('session-timeout')

if (dialog && typeof dialog.showModal === 'function') {
  const form = dialog.querySelector('form')
  const heading = dialog.querySelector('h2')
  const stay = dialog.querySelector('[data-stay-signed-in]')
  const warnBefore = Number(dialog.dataset.warnBefore) * 1000
  let deadline = Date.now() + Number(dialog.dataset.secondsLeft) * 1000
  let warnTimer
  let endTimer
  let returnFocus = null

  const signOut = () => {
    form.elements.reason.value = 'timeout'
    form.submit()
  }

  const warn = () => {
    returnFocus = document.activeElement
    dialog.showModal()
    heading.focus()
  }

  const schedule = () => {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    warnTimer = setTimeout(warn, Math.max(0, deadline - warnBefore - Date.now()))
    endTimer = setTimeout(signOut, Math.max(0, deadline - Date.now()))
  }

  const staySignedIn = async () => {
    let response
    try {
      response = await fetch(dialog.dataset.keepAliveUrl, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': form.elements.csrf_token.value }
      })
    } catch {
      return // no connection: the dialog stays open so the person can try again
    }
    if (!response.ok) {
      signOut()
      return
    }
    const body = await response.json()
    deadline = Date.now() + body.seconds_left * 1000
    dialog.close()
    if (returnFocus && typeof returnFocus.focus === 'function') {
      returnFocus.focus()
    }
    schedule()
  }

  stay.addEventListener('click', staySignedIn)
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault()
    staySignedIn()
  })
  schedule()
}
