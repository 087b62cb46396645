"""The designer: prose → a proposal previewed on the canvas → accept or discard; templates and recommendations."""
import json

from editor_case import EditorCase, create_workflow


def design_answer(name, nodes, edges, explanation="as asked"):
    return json.dumps({"explanation": explanation, "assumptions": ["the team reads Slack"],
                       "workflow": {"name": name, "nodes": nodes, "edges": edges}})


class DesignerTests(EditorCase):
    def test_design_from_prose_preview_and_accept(self):
        self.env.script_llm(design_answer("Nightly report", [
            {"id": "start", "type": "trigger.manual", "configuration": {}},
            {"id": "collect", "type": "integration.script", "configuration": {"script": "echo collecting"}},
            {"id": "publish", "type": "integration.script", "configuration": {"script": "echo {{ collect.stdout }}"}},
        ], [{"source": "start", "target": "collect"}, {"source": "collect", "target": "publish"}]))
        self.open_editor()
        self.tab("designer")
        prose = self.css("#design-prose")
        prose.send_keys("Every night back up the database and tell the team")
        self.wait_until(lambda d: self.all("#recommendation-list li"), "recommendations for the prose")
        self.wait_until(lambda d: self.all("#template-gallery .template"), "the template gallery")
        self.css("#design-button").click()
        self.wait_until(lambda d: self.all("#proposal-report"), "the proposal", timeout=30)
        report = self.css("#proposal-report")
        self.assertEqual(report.get_attribute("data-valid"), "true")
        self.assertIn("as asked", report.text)
        self.wait_until(lambda d: sorted(self.node_ids()) == ["collect", "publish", "start"], "the proposal drawn on the canvas")
        self.assertTrue(self.css("#preview-banner").is_displayed())
        proposal_id = report.get_attribute("data-proposal")
        self.screenshot("designer-preview")
        self.css("#preview-banner .accept-proposal").click()
        self.wait_until(lambda d: self.css("#version-label").text == "v1", "the accepted workflow opened")
        self.assertFalse(self.css("#preview-banner").is_displayed())
        status, proposal = self.env.api("GET", f"proposals/{proposal_id}")
        self.assertEqual(proposal["status"], "accepted")
        stored = self.workflow_named("Nightly report")
        definition = self.stored(stored["id"])["workflow"]["workflow"]
        self.assertEqual([n["id"] for n in definition["nodes"]], ["start", "collect", "publish"])
        self.assertEqual(self.css("#workflow-name").get_attribute("value"), "Nightly report")
        # Optimization suggestions for the accepted workflow: with no history yet, the analysis says so.
        self.tab("designer")
        self.css("#optimize-button").click()
        self.wait_until(lambda d: "Critical path" in self.css("#optimizations").text, "the optimization analysis")
        self.assertIn("Nothing to optimise yet", self.css("#optimizations").text)
        self.assertEqual(self.js_errors(), [])

    def test_editing_design_highlights_added_changed_removed_and_discard(self):
        record = create_workflow(self.env, {"workflow": {"name": "Greeter", "nodes": [
            {"id": "start", "type": "trigger.manual"},
            {"id": "greet", "type": "integration.script", "configuration": {"script": "echo hi"}},
            {"id": "old_step", "type": "integration.script", "configuration": {"script": "echo old"}}],
            "edges": [{"source": "start", "target": "greet"}, {"source": "greet", "target": "old_step"}]}})
        self.env.script_llm(design_answer("Greeter", [
            {"id": "start", "type": "trigger.manual", "configuration": {}},
            {"id": "greet", "type": "integration.script", "configuration": {"script": "echo hello"}},
            {"id": "thank", "type": "integration.script", "configuration": {"script": "echo thanks"}},
        ], [{"source": "start", "target": "greet"}, {"source": "greet", "target": "thank"}]))
        self.open_editor(f"#workflow={record['id']}")
        self.tab("designer")
        self.css("#design-prose").send_keys("Say hello instead of hi and thank people at the end instead of the old step")
        self.css("#design-edit").click()
        self.css("#design-button").click()
        self.wait_until(lambda d: self.all("#proposal-report"), "the proposal", timeout=30)
        self.wait_until(lambda d: self.all('#nodes-layer .node[data-diff="added"]'), "the highlighted preview")
        diff = self.nodes_attribute("data-diff")
        self.assertEqual(diff, {"start": "", "greet": "changed", "thank": "added", "old_step": "removed"})
        self.assertIn("1 added", self.css("#preview-banner").text)
        self.assertTrue(self.all('#edges-layer .edge.diff-removed[data-target="old_step"]'))
        proposal_id = self.css("#proposal-report").get_attribute("data-proposal")
        self.screenshot("designer-edit-diff")
        self.css("#preview-banner .discard-proposal").click()
        self.wait_until(lambda d: sorted(self.node_ids()) == ["greet", "old_step", "start"], "the workflow back after discarding")
        status, proposal = self.env.api("GET", f"proposals/{proposal_id}")
        self.assertEqual(proposal["status"], "discarded")
        self.assertEqual(self.stored(record["id"])["version"], 1)

    def test_template_gallery_loads_a_template_on_the_canvas(self):
        self.open_editor()
        self.tab("designer")
        self.wait_until(lambda d: self.all("#template-gallery .template"), "the template gallery")
        first = self.all("#template-gallery .template")[0]
        template_id = first.get_attribute("data-template")
        first.find_element("css selector", "button").click()
        status, template = self.env.api("GET", f"templates/{template_id}")
        expected = sorted(n["id"] for n in template["workflow"]["workflow"]["nodes"])
        self.wait_until(lambda d: sorted(self.node_ids()) == expected, "the template's nodes on the canvas")
        self.assertEqual(self.css("#version-label").text, "not saved")
