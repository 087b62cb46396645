"""A failed run: its details per node, fix suggestions applied as a new version, and retry from a node."""
import os
import tempfile

from editor_case import EditorCase, create_workflow


class AdviceTests(EditorCase):
    def test_failed_run_shows_details_and_an_applied_fix_makes_a_version_that_succeeds(self):
        record = create_workflow(self.env, {"workflow": {"name": "Typo", "nodes": [
            {"id": "start", "type": "trigger.manual", "position": {"x": 40, "y": 60}},
            {"id": "hello", "type": "integration.script", "configuration": {"script": "ech hello"}, "position": {"x": 320, "y": 60}}],
            "edges": [{"source": "start", "target": "hello"}]}})
        self.open_editor(f"#workflow={record['id']}")
        self.css("#run").click()
        self.wait_until(lambda d: self.css("#run-status").get_attribute("data-status") == "failed", "the run to fail", timeout=30)
        self.assertIn("status-failed", self.node_classes("hello"))
        execution_id = self.css("#run-execution-id").text
        self.assertEqual(self.env.wait_for_execution(execution_id)["status"], "failed")

        self.tab("executions")
        self.wait_until(lambda d: self.all(f'#execution-list li[data-execution="{execution_id}"]'), "the execution listed")
        self.css(f'#execution-list li[data-execution="{execution_id}"] button').click()
        self.wait_until(lambda d: self.all('#execution-nodes li[data-node="hello"]'), "the node runs")
        details = self.css('#execution-nodes li[data-node="hello"]').text
        self.assertIn("1 attempt(s)", details)
        self.assertIn("command not found", details)
        self.assertIn("ech hello", details)  # its input

        self.css("#suggest-fixes").click()
        self.wait_until(lambda d: self.all('#fix-suggestions .suggestion[data-rule="command_not_found"]'), "a fix suggestion", timeout=20)
        card = self.css('#fix-suggestions .suggestion[data-rule="command_not_found"]')
        self.assertIn("echo", card.text)
        self.screenshot("fix-suggestion")
        card.find_element("css selector", "button.primary").click()
        self.wait_until(lambda d: self.css("#version-label").text == "v2", "version 2 opened")
        stored = self.stored(record["id"])
        self.assertEqual(stored["version"], 2)
        self.assertEqual(stored["workflow"]["workflow"]["nodes"][1]["configuration"]["script"], "echo hello")

        self.css("#run").click()
        self.wait_until(lambda d: self.css("#run-status").get_attribute("data-status") == "succeeded", "the fixed run to succeed", timeout=30)
        self.assertEqual(self.env.wait_for_execution(self.css("#run-execution-id").text)["status"], "succeeded")

    def test_retry_from_a_node_reuses_what_ran_before_it(self):
        flag = os.path.join(tempfile.mkdtemp(prefix="windflow-retry-"), "ready")
        record = create_workflow(self.env, {"workflow": {"name": "Retry me", "nodes": [
            {"id": "start", "type": "trigger.manual"},
            {"id": "first", "type": "integration.script", "configuration": {"script": "date +%s%N"}},
            {"id": "second", "type": "integration.script", "configuration": {"script": f"test -f {flag}"}}],
            "edges": [{"source": "start", "target": "first"}, {"source": "first", "target": "second"}]}})
        status, started = self.env.api("POST", f"workflows/{record['id']}/run", {})
        self.assertEqual(status, 202)
        failed = self.env.wait_for_execution(started["execution_id"])
        self.assertEqual(failed["status"], "failed")
        self.open_editor(f"#workflow={record['id']}")
        self.tab("executions")
        self.wait_until(lambda d: self.all(f'#execution-list li[data-execution="{started["execution_id"]}"] button'), "the execution listed")
        self.css(f'#execution-list li[data-execution="{started["execution_id"]}"] button').click()
        self.wait_until(lambda d: self.all('#execution-nodes li[data-node="second"] [data-retry]'), "the retry button")
        self.dismiss_notices()
        open(flag, "w").close()  # what made 'second' fail is fixed outside the workflow
        self.css('#execution-nodes li[data-node="second"] [data-retry]').click()
        self.wait_until(lambda d: self.all("#notices .notice"), "the retry's outcome")
        self.assertIn("Retrying from second", self.css("#notices .notice").text)
        self.wait_until(lambda d: self.css("#run-status").get_attribute("data-status") == "succeeded", "the retried run", timeout=30)
        retried = self.env.wait_for_execution(self.css("#run-execution-id").text)
        self.assertEqual(retried["status"], "succeeded")
        self.assertEqual(retried["restarted_from"], started["execution_id"])
        runs = {run["node"]: run for run in retried["node_runs"]}
        self.assertEqual(runs["first"]["status"], "reused")
        before = next(run for run in failed["node_runs"] if run["node"] == "first")
        self.assertEqual(runs["first"]["output"]["stdout"], before["output"]["stdout"])

    def test_a_missing_secret_is_an_action_with_its_commands_and_nothing_to_apply(self):
        record = create_workflow(self.env, {"workflow": {"name": "Needs a secret", "nodes": [
            {"id": "start", "type": "trigger.manual"},
            {"id": "call", "type": "integration.http", "configuration": {"url": "{{ secrets.NOPE_URL }}/x"}}],
            "edges": [{"source": "start", "target": "call"}]}})
        status, started = self.env.api("POST", f"workflows/{record['id']}/run", {})
        self.assertEqual(status, 202)
        self.assertEqual(self.env.wait_for_execution(started["execution_id"])["status"], "failed")
        self.open_editor(f"#workflow={record['id']}")
        self.tab("executions")
        self.wait_until(lambda d: self.all(f'#execution-list li[data-execution="{started["execution_id"]}"] button'), "the execution listed")
        self.css(f'#execution-list li[data-execution="{started["execution_id"]}"] button').click()
        self.wait_until(lambda d: self.all("#suggest-fixes"), "the suggest button")
        self.css("#suggest-fixes").click()
        self.wait_until(lambda d: self.all('#fix-suggestions .suggestion.action[data-rule="missing_secret"]'), "an action", timeout=20)
        card = self.css('#fix-suggestions .suggestion.action[data-rule="missing_secret"]')
        self.assertIn("Set the secret NOPE_URL", card.text)
        self.assertIn("/api/v1/secrets/NOPE_URL", card.find_element("css selector", "pre.commands").text)
        self.assertEqual(card.find_elements("css selector", "button"), [], "nothing to apply")
        self.screenshot("action-suggestion")
