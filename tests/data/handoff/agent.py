# The scripted agent of test_handoff_flow: serve the page, open it in the sandbox's own browser
# over its local DevTools port, ask for a human and block until they hand back, then record
# what it was told.
import functools, http.server, json, subprocess, threading, urllib.request

# Bound and listening before the browser is pointed at it: nothing to wait for.
log = open("/workspace/access.log", "w")
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        log.write("%s\n" % (fmt % args)); log.flush()
server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                         functools.partial(Handler, directory="/workspace/site"))
threading.Thread(target=server.serve_forever, daemon=True).start()
port = server.server_address[1]

devtools = open("/home/user/.config/banata-browser/DevToolsActivePort").read().split()[0]
urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{devtools}/json/new?http://127.0.0.1:{port}/", method="PUT"))
done = subprocess.run(["banata-handoff", "--reason", "login_failed", "--message", "Please type the password"],
                      capture_output=True, text=True)
handoff = json.loads(done.stdout)
with open("/workspace/result.json", "w") as f:
    json.dump({"exit": done.returncode, "outcome": handoff.get("outcome"), "note": handoff.get("note")}, f)
print("agent finished after the handoff")
