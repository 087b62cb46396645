"""Import and export YAML, versions with their diff and rollback, and the API key dialog."""
from selenium.webdriver.common.keys import Keys

from editor_case import EditorCase

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
        self.assertIn("Import failed", self.css('#notices .notice[data-kind="error"]').text)

    def test_the_key_is_asked_once_kept_and_asked_again_after_a_401(self):
        self.open_editor(key=False)
        self.wait_until(lambda d: self.css("#key-dialog").is_displayed(), "the key dialog")
        self.css("#key-input").send_keys(self.env.key + Keys.ENTER)
        self.wait_until(lambda d: d.execute_script("return document.body.dataset.ready === 'true'"), "the editor to start")
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
