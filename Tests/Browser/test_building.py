"""Building a workflow on the canvas: drag from the palette, connect, configure, see validation, save, run live."""
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select

from editor_case import EditorCase, create_workflow


class BuildingTests(EditorCase):
    def test_build_by_dragging_configure_validate_save_and_run_live(self):
        self.open_editor()
        trigger = self.drag_from_palette("trigger.manual", 140, 200)
        build = self.drag_from_palette("integration.script", 430, 200)
        report = self.drag_from_palette("integration.script", 720, 320)
        self.assertEqual([trigger, build, report], ["trigger", "script", "script_2"])
        self.connect(trigger, build)
        self.connect(build, report)

        # A script without its script: the validator's problem shows on the node and on the field.
        self.click_node(build)
        self.wait_until(lambda d: "invalid" in self.node_classes(build), "the missing script on the node")
        self.wait_until(lambda d: "invalid" in self.css('.field[data-path="configuration.script"]').get_attribute("class"), "the problem on the field")
        self.assertIn("needs 'script'", self.css("#field-script-error").text)
        self.assertIn("1", self.css("#nodes-layer .node.invalid .badge").text)
        self.set_field("field-script", "echo building; sleep 1.5; echo '{\"artifact\": \"shop-1.2.tar\"}' > $WINDFLOW_OUTPUT")
        self.wait_until(lambda d: "invalid" not in self.node_classes(build), "the problem to go away from the node")
        self.assertEqual(self.css("#field-script-error").text, "")
        self.set_field("node-id", "build")
        self.css("#node-name").click()  # the id is committed when it loses focus
        self.wait_until(lambda d: "build" in self.node_ids(), "the node renamed")

        # The second script reads the first's output through the expression help.
        self.click_node(report)
        # From the keyboard: the arrows move through the entries without inserting them, Enter inserts the one shown.
        self.set_field("field-script", "echo ")
        menu = self.css('.field[data-path="configuration.script"] select.insert')
        menu.send_keys(Keys.ARROW_DOWN)
        menu.send_keys(Keys.ARROW_DOWN)
        chosen = self.driver.execute_script("const m = arguments[0]; return [m.value, m.options[2].value]", menu)
        self.assertEqual(chosen[0], chosen[1], "the second entry is shown")
        self.assertEqual(self.css("#field-script").get_attribute("value"), "echo ", "nothing inserted while browsing")
        menu.send_keys(Keys.ENTER)
        self.wait_until(lambda d: self.css("#field-script").get_attribute("value") == f"echo {chosen[0]}", "the entry inserted with Enter")
        self.set_field("field-script", "echo got ")
        Select(self.css('.field[data-path="configuration.script"] select.insert')).select_by_value("{{ build.stdout }}")
        self.wait_until(lambda d: self.css("#field-script").get_attribute("value") == "echo got {{ build.stdout }}", "the expression inserted")
        self.wait_until(lambda d: not self.all("#nodes-layer .node.invalid"), "a valid workflow")

        self.set_field("workflow-name", "Build and report")
        self.css("#save").click()
        self.wait_until(lambda d: self.css("#version-label").text == "v1", "the saved version")
        stored = self.workflow_named("Build and report")
        self.assertIsNotNone(stored)
        definition = self.stored(stored["id"])["workflow"]["workflow"]
        self.assertEqual([n["id"] for n in definition["nodes"]], ["trigger", "build", "script_2"])
        self.assertEqual(definition["edges"], [{"source": "trigger", "target": "build"}, {"source": "build", "target": "script_2"}])
        self.assertTrue(all("x" in n["position"] and "y" in n["position"] for n in definition["nodes"]))
        self.assertEqual(definition["nodes"][2]["configuration"]["script"], "echo got {{ build.stdout }}")

        self.css("#run").click()
        self.wait_until(lambda d: "status-running" in self.node_classes("build"), "build shown running", timeout=10)
        self.wait_until(lambda d: self.css("#run-status").get_attribute("data-status") == "succeeded", "the run to succeed", timeout=30)
        for node_id in ("trigger", "build", "script_2"):
            self.assertIn("status-succeeded", self.node_classes(node_id))
        self.assertIn("succeeded", self.css('#nodes-layer .node[data-id="build"] .run-text').text)
        self.assertIn("build │ building", self.css("#run-log").text)
        execution_id = self.css("#run-execution-id").text
        record = self.env.wait_for_execution(execution_id)
        self.assertEqual(record["status"], "succeeded")
        self.assertEqual({r["node"]: r["status"] for r in record["node_runs"]}, {"build": "succeeded", "script_2": "succeeded"})
        self.assertIn("got building", record["node_runs"][-1]["output"]["stdout"])
        self.screenshot("editor")
        self.assertEqual(self.js_errors(), [])

    def test_live_run_draws_the_branch_taken_the_skips_and_a_retry_as_the_stream_says(self):
        # The run view draws only what the live events say (docs/API.md, "Live events"): the skips arrive with the
        # condition's decision, while the true side still runs, and the retry arrives as retry_scheduled.
        record = create_workflow(self.env, {"workflow": {"name": "Branches live", "nodes": [
            {"id": "start", "type": "trigger.manual", "position": {"x": 40, "y": 160}},
            {"id": "check", "type": "logic.condition", "configuration": {"condition": "{{ trigger.go }}"}, "position": {"x": 300, "y": 160}},
            {"id": "flaky", "type": "integration.script", "position": {"x": 560, "y": 60},
             "configuration": {"script": 'sleep 1; test "$WINDFLOW_ATTEMPT" -gt 1 || exit 3', "retryable_exit_codes": [3]},
             "retry_count": 2, "retry": {"initial_delay": 0.5, "jitter": 0}},
            {"id": "no", "type": "integration.script", "configuration": {"script": "echo no"}, "position": {"x": 560, "y": 260}},
            {"id": "after_no", "type": "integration.script", "configuration": {"script": "echo after"}, "position": {"x": 820, "y": 260}}],
            "edges": [{"source": "start", "target": "check"}, {"source": "check", "target": "flaky", "branch": "true"},
                      {"source": "check", "target": "no", "branch": "false"}, {"source": "no", "target": "after_no"}]}})
        self.open_editor(f"#workflow={record['id']}")
        self.tab("run")
        self.set_field("run-input", '{"go": true}')
        self.css("#run").click()
        self.wait_until(lambda d: "status-skipped" in self.node_classes("no") and "status-skipped" in self.node_classes("after_no"),
                        "the false side skipped", timeout=10)
        self.assertIn("status-running", self.node_classes("flaky"))
        self.assertIn("status-succeeded", self.node_classes("check"))
        self.wait_until(lambda d: "attempt 2 at" in self.css("#run-log").text, "the retry in the log", timeout=15)
        self.assertIn("status-running", self.node_classes("flaky"))
        self.wait_until(lambda d: self.css("#run-status").get_attribute("data-status") == "succeeded", "the run to succeed", timeout=30)
        self.assertIn("status-succeeded", self.node_classes("flaky"))
        self.assertIn("2 attempts", self.css('#nodes-layer .node[data-id="flaky"] .run-text').text)
        self.assertEqual(self.css('#run-nodes li[data-node="after_no"]').get_attribute("data-status"), "skipped")
        log = self.css("#run-log").text
        self.assertIn("check succeeded → true", log)
        self.assertIn("no skipped", log)
        self.assertIn("flaky failed (attempt 1): the script exited with status 3", log)
        self.assertEqual(self.js_errors(), [])

    def test_keyboard_adds_nodes_and_canvas_edits_undo_redo_delete_select_layout(self):
        self.open_editor()
        search = self.css("#palette-search")
        search.send_keys("condition")
        self.wait_until(lambda d: len(self.all(".palette-item")) == 1, "the palette filtered")
        self.css('.palette-item[data-type="logic.condition"]').send_keys(Keys.ENTER)
        self.wait_until(lambda d: self.node_ids() == ["condition"], "a condition added with Enter")
        self.set_field("palette-search", "")
        self.wait_until(lambda d: len(self.all(".palette-item")) > 20, "the whole palette back")
        trigger = self.drag_from_palette("trigger.manual", 120, 500)
        yes = self.drag_from_palette("integration.script", 700, 150)
        no = self.drag_from_palette("integration.script", 700, 450)
        # Named outputs: a condition has a true and a false port.
        self.assertEqual([p.get_attribute("data-branch") for p in self.all('.node[data-id="condition"] .port-out')], ["true", "false"])
        self.connect(trigger, "condition")
        self.connect("condition", yes, "true")
        self.connect("condition", no, "false")
        edges = [(e.get_attribute("data-source"), e.get_attribute("data-target"), e.get_attribute("data-branch")) for e in self.all("#edges-layer .edge")]
        self.assertEqual(edges, [("trigger", "condition", ""), ("condition", yes, "true"), ("condition", no, "false")])

        # Undo and redo (Ctrl+Z / Ctrl+Shift+Z) on the canvas.
        canvas = self.css("#canvas")
        canvas.click()
        ActionChains(self.driver).key_down(Keys.CONTROL).send_keys("z").key_up(Keys.CONTROL).perform()
        self.wait_until(lambda d: len(self.all("#edges-layer .edge")) == 2, "the last edge undone")
        ActionChains(self.driver).key_down(Keys.CONTROL).key_down(Keys.SHIFT).send_keys("z").key_up(Keys.SHIFT).key_up(Keys.CONTROL).perform()
        self.wait_until(lambda d: len(self.all("#edges-layer .edge")) == 3, "the edge redone")

        # Delete an edge, then two nodes chosen with shift-click.
        ActionChains(self.driver).move_to_element_with_offset(canvas, *self.centre('#edges-layer .edge[data-branch="false"] path.hit')).click().perform()
        self.wait_until(lambda d: "selected" in self.css('#edges-layer .edge[data-branch="false"]').get_attribute("class"), "the edge selected")
        ActionChains(self.driver).send_keys(Keys.DELETE).perform()
        self.wait_until(lambda d: len(self.all("#edges-layer .edge")) == 2, "the edge deleted")
        self.click_node(yes)
        self.click_node(no, shift=True)
        self.assertEqual(len(self.all("#nodes-layer .node.selected")), 2)
        ActionChains(self.driver).send_keys(Keys.DELETE).perform()
        self.wait_until(lambda d: sorted(self.node_ids()) == ["condition", "trigger"], "two nodes deleted")
        self.assertEqual(len(self.all("#edges-layer .edge")), 1)
        self.css("#undo").click()
        self.wait_until(lambda d: len(self.node_ids()) == 4, "the nodes back")

        # Rubber band (shift-drag on the background) selects every node inside it.
        self.css("#zoom-fit").click()
        rect = canvas.rect
        ActionChains(self.driver).move_to_element_with_offset(canvas, rect["width"] // 2 - 5, -rect["height"] // 2 + 5) \
            .key_down(Keys.SHIFT).click_and_hold().move_by_offset(-(rect["width"] - 10), rect["height"] - 10).release().key_up(Keys.SHIFT).perform()
        self.wait_until(lambda d: len(self.all("#nodes-layer .node.selected")) == 4, "all nodes selected by the band")

        # Moving a node by dragging it, then auto-layout puts the graph in columns.
        before = self.nodes_attribute("transform")["trigger"]
        self.click_node("trigger")
        ActionChains(self.driver).move_to_element_with_offset(canvas, *self.centre('.node[data-id="trigger"] rect.body')) \
            .click_and_hold().move_by_offset(20, -15).move_by_offset(20, -15).release().perform()
        self.wait_until(lambda d: self.nodes_attribute("transform")["trigger"] != before, "the node moved")
        self.css("#auto-layout").click()
        xs = {node_id: float(transform.split("(")[1].split()[0]) for node_id, transform in self.nodes_attribute("transform").items()}
        self.assertLess(xs["trigger"], xs["condition"])
        self.assertLess(xs["condition"], xs[yes])
        self.assertEqual(xs[no], xs["trigger"])  # its edge was deleted: it starts a column of its own

        # The minimap shows every node and moves the view when clicked.
        self.assertEqual(len(self.all("#minimap rect.mini-node")), 4)
        view = self.css("#viewport").get_attribute("transform")
        ActionChains(self.driver).move_to_element_with_offset(self.css("#minimap"), 80, 50).click().perform()
        self.wait_until(lambda d: self.css("#viewport").get_attribute("transform") != view, "the view moved by the minimap")
        self.screenshot("canvas-editing")
        self.assertEqual(self.js_errors(), [])
