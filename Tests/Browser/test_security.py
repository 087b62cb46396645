"""Text from the API and from people is shown as text: markup in a workflow's name, a node's label, a script's output
and a model's proposal never becomes elements of the page."""
import json

from editor_case import EditorCase

# Each probe would add an element with the class xss-probe, or set window.__xss, if it were read as markup.
IMG = '<img src=x class="xss-probe" onerror="window.__xss=1">'
SCRIPT = '<script class="xss-probe">window.__xss=2</script>'
NAME = f"Markup {IMG} workflow"
LABEL = f"Label {SCRIPT}"
OUTPUT = f"out {IMG}{SCRIPT}"


class SecurityTests(EditorCase):
    def assert_nothing_injected(self, where):
        found = self.driver.execute_script("""
            return {probes: document.querySelectorAll('.xss-probe, img[src="x"], script:not([src])').length,
                    flag: window.__xss === undefined ? null : window.__xss};""")
        self.assertEqual(found, {"probes": 0, "flag": None}, f"markup became elements {where}")

    def page_text(self):
        return self.driver.execute_script("return document.body.textContent")

    def test_markup_in_names_outputs_and_proposals_is_shown_as_text(self):
        document = {"workflow": {"name": NAME, "description": f"About {IMG}", "nodes": [
            {"id": "start", "type": "trigger.manual", "position": {"x": 40, "y": 60}},
            {"id": "shout", "type": "integration.script", "name": LABEL, "position": {"x": 320, "y": 60},
             "configuration": {"script": f"printf '%s\\n' '{OUTPUT}'"}}],
            "edges": [{"source": "start", "target": "shout"}]}}
        self.assertNotIn("'", OUTPUT)  # the script quotes it with single quotes

        # Import it, save it from the editor, and open it again from the server.
        self.open_editor()
        self.css("#import").click()
        self.driver.execute_script("document.getElementById('import-text').value = arguments[0]", json.dumps(document))
        self.css("#import-submit").click()
        self.wait_until(lambda d: sorted(self.node_ids()) == ["shout", "start"], "the imported nodes")
        self.assertEqual(self.css("#workflow-name").get_attribute("value"), NAME)
        self.css("#save").click()
        self.wait_until(lambda d: self.css("#version-label").text == "v1", "the saved version")
        self.assertTrue(any(NAME in text for text in self.notice_texts()), self.notice_texts())
        stored = self.workflow_named(NAME)
        self.assertIsNotNone(stored, "the name is stored as written")
        self.assertEqual(self.stored(stored["id"])["workflow"]["workflow"]["nodes"][1]["name"], LABEL)
        self.assert_nothing_injected("after saving")

        self.open_editor(f"#workflow={stored['id']}")
        self.wait_until(lambda d: sorted(self.node_ids()) == ["shout", "start"], "the workflow opened")
        picker = self.driver.execute_script("return [...document.querySelectorAll('#workflow-picker option')].map((o) => o.textContent)")
        self.assertTrue(any(NAME in text for text in picker), picker)
        title = self.driver.execute_script("return document.querySelector('.node[data-id=\"shout\"] .title').textContent")
        self.assertTrue(LABEL.startswith(title.rstrip("…")), title)
        self.click_node("shout")
        self.wait_until(lambda d: self.all("#node-name"), "the node's configuration")
        self.assertEqual(self.css("#node-name").get_attribute("value"), LABEL)
        self.assert_nothing_injected("on the canvas and in the panels")

        # Run it: the script prints markup, which the log and the execution's details show as text.
        self.css("#run").click()
        self.wait_until(lambda d: self.css("#run-status").get_attribute("data-status") == "succeeded", "the run to succeed", timeout=30)
        self.wait_until(lambda d: OUTPUT in self.css("#run-log").get_attribute("textContent"), "the output in the log")
        execution_id = self.css("#run-execution-id").text
        record = self.env.wait_for_execution(execution_id)
        self.assertIn(OUTPUT, record["node_runs"][-1]["output"]["stdout"])
        self.tab("executions")
        self.wait_until(lambda d: self.all(f'#execution-list li[data-execution="{execution_id}"] button'), "the execution listed")
        self.css(f'#execution-list li[data-execution="{execution_id}"] button').click()
        self.wait_until(lambda d: self.all('#execution-nodes li[data-node="shout"]'), "the node runs")
        self.assertIn(json.dumps(OUTPUT)[1:-1], self.css('#execution-nodes li[data-node="shout"]').get_attribute("textContent"))
        self.assertIn(NAME, self.css("#panel-executions").get_attribute("textContent"))
        self.assert_nothing_injected("in the run's log and details")

        # A model's proposal with markup in its name, explanation, assumptions and labels.
        self.env.script_llm(json.dumps({"explanation": f"Explained {IMG}", "assumptions": [f"Assumed {SCRIPT}"],
                                        "workflow": {"name": f"Proposed {IMG}", "nodes": [
                                            {"id": "begin", "type": "trigger.manual", "configuration": {}},
                                            {"id": "say", "type": "integration.script", "name": LABEL, "configuration": {"script": "echo hi"}}],
                                            "edges": [{"source": "begin", "target": "say"}]}}))
        self.tab("designer")
        self.css("#design-prose").send_keys("Say hi")
        self.css("#design-button").click()
        self.wait_until(lambda d: self.all("#proposal-report"), "the proposal", timeout=30)
        report = self.css("#proposal-report").get_attribute("textContent")
        for text in (f"Proposed {IMG}", f"Explained {IMG}", f"Assumed {SCRIPT}"):
            self.assertIn(text, report)
        self.assertIn(f"Proposed {IMG}", self.css("#preview-banner").get_attribute("textContent"))
        self.wait_until(lambda d: sorted(self.node_ids()) == ["begin", "say"], "the proposal on the canvas")
        self.assert_nothing_injected("in the proposal")
        self.css("#preview-banner .discard-proposal").click()
        self.wait_until(lambda d: sorted(self.node_ids()) == ["shout", "start"], "the workflow back")
        self.assert_nothing_injected("at the end")
        self.assertEqual(self.js_errors(), [])
