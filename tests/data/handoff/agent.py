# The scripted agent of test_handoff_flow: serve the page, open it in the sandbox's own browser
# over its local DevTools port, ask for a human and block until they hand back, then record
# what it was told.
import json, socket, subprocess, time, urllib.request
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
subprocess.Popen(["python3", "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", "/workspace/site"],
                 stdout=subprocess.DEVNULL, stderr=open("/workspace/access.log", "w"))
for _ in range(100):
    try:
        urllib.request.urlopen(f"http://127.0.0.1:{port}/"); break
    except OSError:
        time.sleep(0.05)
devtools = open("/home/user/.config/banata-browser/DevToolsActivePort").read().split()[0]
urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{devtools}/json/new?http://127.0.0.1:{port}/", method="PUT"))
done = subprocess.run(["banata-handoff", "--reason", "login_failed", "--message", "Please type the password"],
                      capture_output=True, text=True)
handoff = json.loads(done.stdout)
with open("/workspace/result.json", "w") as f:
    json.dump({"exit": done.returncode, "outcome": handoff.get("outcome"), "note": handoff.get("note")}, f)
print("agent finished after the handoff")
