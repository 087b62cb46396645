"""Import and export YAML, versions with their diff and rollback, and the API key dialog."""
import json

from selenium.webdriver.common.keys import Keys

from editor_case import EditorCase, create_workflow

IMPORTED = """# pasted by a person
workflow:
  name: Imported pipeline
  nodes:
    - {id: start, type: trigger.manual}
    - id: step
      type: integration.script
      configuration:
        script: |
          echo one
          echo two
  edges:
    - {source: start, target: step}
"""

# The seed's shorthands (docs/FORMAT.md): a top-level trigger, no edges, a condition's true_branch / false_branch.
SEED_STYLE = """# written the way the seed's templates are
workflow:
  name: "Seed style"
  trigger:
    type: manual
  nodes:
    - id: check
      type: logic.condition
      configuration:
        condition: "{{ 1 > 0 }}"
        true_branch: yes_step
        false_branch: no_step
    - id: yes_step
      type: integration.script
      configuration:
        script: |
          echo "  yes"
    - id: no_step
      type: integration.script
      configuration:
        script: echo no
"""


def shape(workflow):
    """What must survive an import: nodes without their positions, and the set of edges."""
    nodes = [{k: v for k, v in node.items() if k != "position"} for node in workflow["nodes"]]
    edges = sorted((e["source"], e["target"], e.get("branch", "")) for e in workflow["edges"])
    return workflow["name"], nodes, edges


class VersionTests(EditorCase):
    def test_import_save_versions_diff_rollback_and_export(self):
        self.open_editor()
        self.css("#import").click()
        self.css("#import-text").send_keys(IMPORTED)
        self.css("#import-submit").click()
        self.wait_until(lambda d: sorted(self.node_ids()) == ["start", "step"], "the imported nodes")
        self.assertEqual(self.css("#workflow-name").get_attribute("value"), "Imported pipeline")
        self.css("#save").click()
        self.wait_until(lambda d: self.css("#version-label").text == "v1", "version 1")
        workflow_id = self.workflow_named("Imported pipeline")["id"]
        self.assertEqual(self.stored(workflow_id)["workflow"]["workflow"]["nodes"][1]["configuration"]["script"], "echo one\necho two\n")

        self.click_node("step")
        self.set_field("field-script", "echo three")
        self.wait_until(lambda d: "unsaved" in self.css("#dirty-label").text, "the change noticed")
        self.driver.find_element("tag name", "body").send_keys(Keys.CONTROL, "s")
        self.wait_until(lambda d: self.css("#version-label").text == "v2", "version 2 saved with Ctrl+S")

        self.tab("versions")
        self.wait_until(lambda d: len(self.all("#version-list li")) == 2, "two versions listed")
        self.css("#show-diff").click()
        self.wait_until(lambda d: self.all("#diff-output .diff"), "the diff")
        removed = [e.text for e in self.all("#diff-output .diff .del")]
        added = [e.text for e in self.all("#diff-output .diff .add")]
        self.assertTrue(any("echo one" in line for line in removed), removed)
        self.assertTrue(any("echo three" in line for line in added), added)
        self.screenshot("versions")
        self.css('#version-list [data-rollback="1"]').click()
        self.accept_alert()
        self.wait_until(lambda d: self.css("#version-label").text == "v3", "version 3 from the rollback")
        stored = self.stored(workflow_id)
        self.assertEqual(stored["version"], 3)
        self.assertEqual(stored["workflow"]["workflow"]["nodes"][1]["configuration"]["script"], "echo one\necho two\n")

        self.css("#export").click()
        self.wait_until(lambda d: self.css("#export-dialog").is_displayed(), "the export dialog")
        text = self.css("#export-text").get_attribute("value")
        self.assertIn("name: Imported pipeline", text)
        self.assertIn("echo two", text)
        self.assertIn("position", text)
        self.css("#export-dialog button.primary").click()

    def test_import_of_unreadable_yaml_says_why(self):
        self.open_editor()
        self.css("#import").click()
        self.css("#import-text").send_keys("workflow:\n  name: x\n  nodes: [unclosed\n")
        self.css("#import-submit").click()
        self.wait_until(lambda d: self.all('#notices .notice[data-kind="error"]'), "the import error")
        notice = self.css('#notices .notice[data-kind="error"]').text
        self.assertIn("Import failed: Unreadable workflow", notice)
        self.assertIn("line ", notice)  # the server's reader says where
        self.assertTrue(self.css("#import-dialog").is_displayed(), "the dialog stays open to fix the text")
        self.assertEqual(self.node_ids(), [])

    def test_import_reads_the_seed_shorthands_like_the_server_and_exports_them_back(self):
        status, expected = self.env.api("POST", "validate", SEED_STYLE)
        self.assertEqual(status, 200, expected)
        expected = expected["workflow"]["workflow"]
        self.assertIn(("check", "yes_step", "true"), shape(expected)[2])  # the server expanded the shorthands

        self.open_editor()
        self.css("#import").click()
        self.driver.execute_script("document.getElementById('import-text').value = arguments[0]", SEED_STYLE)
        self.css("#import-submit").click()
        self.wait_until(lambda d: sorted(self.node_ids()) == ["check", "no_step", "trigger", "yes_step"], "the imported nodes")
        self.assertFalse(self.css("#import-dialog").is_displayed())
        edges = sorted((e.get_attribute("data-source"), e.get_attribute("data-target"), e.get_attribute("data-branch"))
                       for e in self.all("#edges-layer .edge"))
        self.assertEqual(edges, shape(expected)[2])
        self.assertEqual(self.css("#version-label").text, "not saved")

        # The unsaved import exported as YAML reads back (on the server) as the same workflow.
        self.css("#export").click()
        self.wait_until(lambda d: self.css("#export-dialog").is_displayed(), "the export dialog")
        exported = self.css("#export-text").get_attribute("value")
        self.css("#export-dialog button.primary").click()
        status, reread = self.env.api("POST", "validate", exported)
        self.assertEqual(status, 200, reread)
        self.assertEqual(shape(reread["workflow"]["workflow"]), shape(expected))
        self.assertTrue(all("position" in node for node in reread["workflow"]["workflow"]["nodes"]))

        self.css("#save").click()
        self.wait_until(lambda d: self.css("#version-label").text == "v1", "the imported workflow saved")
        stored = self.stored(self.workflow_named("Seed style")["id"])["workflow"]["workflow"]
        self.assertEqual(shape(stored), shape(expected))
        self.assertEqual(self.js_errors(), [])

    def test_opening_another_workflow_redraws_the_shown_versions(self):
        def document(name, script):
            return {"workflow": {"name": name, "nodes": [{"id": "start", "type": "trigger.manual"},
                                                         {"id": "step", "type": "integration.script", "configuration": {"script": script}}],
                                 "edges": [{"source": "start", "target": "step"}]}}
        first = create_workflow(self.env, document("Twice saved", "echo 1"))
        status, _ = self.env.api("PUT", f"workflows/{first['id']}", document("Twice saved", "echo 2"))
        self.assertEqual(status, 200)
        other = create_workflow(self.env, document("Saved once", "echo 1"))
        self.open_editor(f"#workflow={first['id']}")
        self.tab("versions")
        self.wait_until(lambda d: len(self.all("#version-list li")) == 2, "the first workflow's two versions")
        self.choose("workflow-picker", other["id"])
        self.wait_until(lambda d: self.css("#version-label").text == "v1" and len(self.all("#version-list li")) == 1,
                        "the other workflow's single version")
        self.assertIn("Saved once", self.css("#panel-versions h2").text)
        self.assertFalse(self.all("#version-list [data-rollback]"), "no rollback offered from another workflow's list")

    def test_the_key_is_asked_once_kept_and_asked_again_after_a_401(self):
        self.open_editor(key=False)
        self.wait_until(lambda d: self.css("#key-dialog").is_displayed(), "the key dialog")
        self.assertFalse(self.css("#key-cancel").is_displayed(), "the editor needs a key: no Cancel")
        self.css("#key-input").send_keys(self.env.key + Keys.ENTER)
        self.wait_until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"), "the editor to start")
        self.assertEqual(self.driver.execute_script("return localStorage.getItem('windflow.apiKey')"), self.env.key)
        # The Key button asks for another key, and can be cancelled.
        self.css("#change-key").click()
        self.wait_until(lambda d: self.css("#key-dialog").is_displayed(), "the key dialog from the Key button")
        self.css("#key-input").send_keys("wf_not_used")
        self.css("#key-cancel").click()
        self.wait_until(lambda d: not self.css("#key-dialog").is_displayed(), "the dialog cancelled")
        self.assertEqual(self.driver.execute_script("return localStorage.getItem('windflow.apiKey')"), self.env.key)
        self.driver.refresh()
        self.wait_until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"), "the editor to start with the kept key")
        self.assertFalse(self.css("#key-dialog").is_displayed())

        self.driver.execute_script("localStorage.setItem('windflow.apiKey', 'wf_wrong')")
        self.driver.refresh()
        self.wait_until(lambda d: self.css("#key-dialog").is_displayed(), "the key asked again")
        self.assertIn("401", self.css("#key-message").text)
        self.css("#key-input").send_keys(self.env.key + Keys.ENTER)
        self.wait_until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"), "the editor to start after the 401")
        self.assertEqual(self.driver.execute_script("return localStorage.getItem('windflow.apiKey')"), self.env.key)
