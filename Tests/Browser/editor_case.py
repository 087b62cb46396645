"""What every browser test shares: one browser and one WindFlow for the whole run, and steps written in the user's
terms (drag a node from the palette, connect two nodes, fill a field) driving real pointer and keyboard input."""
import json
import time
import unittest

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

from harness import SCREENSHOTS

WAIT = 15


class EditorCase(unittest.TestCase):
    env = None
    driver = None

    def setUp(self):
        self.driver.delete_all_cookies()

    # -- opening --

    def open_editor(self, fragment="", key=True):
        driver = self.driver
        # A page of the same origin that is not the editor, to set the key before the editor starts.
        driver.get(f"{self.env.base}/editor/editor.css")
        if key:
            driver.execute_script("localStorage.setItem('windflow.apiKey', arguments[0])", self.env.key)
        else:
            driver.execute_script("localStorage.clear()")
        driver.get(f"{self.env.base}/{fragment}")
        if key:
            self.wait_for_start()
        driver.get_log("browser")  # what earlier pages logged is theirs

    def wait_for_start(self):
        ready = "return document.body.dataset.ready === 'true'"
        try:
            WebDriverWait(self.driver, 10, poll_frequency=0.1).until(lambda d: d.execute_script(ready))
        except Exception:
            # Chromium in containers sometimes drops a module load (net::ERR_NETWORK_CHANGED); one reload is allowed.
            print("the editor did not start; reloading once. browser log:", self.driver.get_log("browser"))
            self.driver.refresh()
            self.wait_until(lambda d: d.execute_script(ready), "the editor to start")

    def wait_until(self, condition, what, timeout=WAIT):
        def check(driver):
            try:
                return condition(driver)
            except StaleElementReferenceException:
                return False
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.1).until(check, message=f"waiting for {what}")
        except Exception:
            self.screenshot(f"failed-{self._testMethodName}")
            print("browser log:", self.driver.get_log("browser"), "notices:", self.notice_texts())
            raise

    def css(self, selector):
        return self.driver.find_element(By.CSS_SELECTOR, selector)

    def all(self, selector):
        return self.driver.find_elements(By.CSS_SELECTOR, selector)

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))

    def js_errors(self):
        return [entry for entry in self.driver.get_log("browser") if entry["level"] == "SEVERE" and "favicon" not in entry["message"]]

    # -- the canvas --

    def node(self, node_id):
        return self.css(f'#nodes-layer .node[data-id="{node_id}"]')

    def node_ids(self):
        return list(self.nodes_attribute("data-id").keys())

    def nodes_attribute(self, name):
        """{node id: attribute} read in one step (the canvas redraws nodes, so element handles go stale)."""
        return self.driver.execute_script("""
            return Object.fromEntries([...document.querySelectorAll('#nodes-layer .node')]
                .map((n) => [n.dataset.id, n.getAttribute(arguments[0]) || '']));""", name)

    def drag_from_palette(self, type_id, x, y):
        item = self.css(f'.palette-item[data-type="{type_id}"]')
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", item)
        canvas = self.css("#canvas")
        before = set(self.node_ids())
        ActionChains(self.driver).move_to_element(item).click_and_hold().move_by_offset(15, 5) \
            .move_to_element_with_offset(canvas, x - canvas.size["width"] // 2, y - canvas.size["height"] // 2) \
            .move_by_offset(1, 1).release().perform()
        self.wait_until(lambda d: len(set(self.node_ids()) - before) == 1, f"a {type_id} node on the canvas")
        return (set(self.node_ids()) - before).pop()

    def port(self, node_id, branch=None):
        selector = f'#nodes-layer .node[data-id="{node_id}"] .port-out[data-branch="{branch or ""}"]'
        return self.css(selector)

    def centre(self, selector):
        """The centre of an element, relative to the canvas's centre: the canvas element is never redrawn, while
        nodes are (after each validation), so pointer moves aim at points of the canvas rather than at nodes."""
        return self.driver.execute_script("""
            const box = document.querySelector(arguments[0]).getBoundingClientRect();
            const canvas = document.getElementById('canvas').getBoundingClientRect();
            return [Math.round(box.left + box.width / 2 - (canvas.left + canvas.width / 2)),
                    Math.round(box.top + box.height / 2 - (canvas.top + canvas.height / 2))];""", selector)

    def connect(self, source, target, branch=None):
        count = len(self.all("#edges-layer .edge"))
        canvas = self.css("#canvas")
        port = self.centre(f'#nodes-layer .node[data-id="{source}"] .port-out[data-branch="{branch or ""}"]')
        body = self.centre(f'#nodes-layer .node[data-id="{target}"] rect.body')
        ActionChains(self.driver).move_to_element_with_offset(canvas, *port).click_and_hold().move_by_offset(20, 10) \
            .move_to_element_with_offset(canvas, *body).release().perform()
        self.wait_until(lambda d: len(self.all("#edges-layer .edge")) == count + 1, f"an edge {source} → {target}")

    def click_node(self, node_id, shift=False):
        canvas = self.css("#canvas")
        point = self.centre(f'#nodes-layer .node[data-id="{node_id}"] rect.body')
        actions = ActionChains(self.driver).move_to_element_with_offset(canvas, *point)
        if shift:
            actions.key_down(Keys.SHIFT).click().key_up(Keys.SHIFT).perform()
        else:
            actions.click().perform()

    def node_classes(self, node_id):
        return self.nodes_attribute("class").get(node_id, "").split()

    # -- panels --

    def tab(self, name):
        self.css(f"#tab-{name}").click()
        self.wait_until(lambda d: self.css(f"#panel-{name}").is_displayed(), f"the {name} panel")

    def set_field(self, element_id, text):
        field = self.css(f"#{element_id}")
        field.click()
        field.send_keys(Keys.CONTROL, "a")
        field.send_keys(Keys.DELETE)
        if text:
            field.send_keys(text)
        return field

    def choose(self, element_id, value):
        Select(self.css(f"#{element_id}")).select_by_value(value)

    def notice_texts(self):
        return [element.text for element in self.all("#notices .notice")]

    def dismiss_notices(self):
        for button in self.all("#notices .notice .close"):
            try:
                button.click()
            except Exception:
                pass

    def workflow_named(self, name):
        status, workflows = self.env.api("GET", "workflows")
        self.assertEqual(status, 200)
        matches = [w for w in workflows if w["name"] == name]
        return matches[0] if matches else None

    def stored(self, workflow_id):
        status, record = self.env.api("GET", f"workflows/{workflow_id}")
        self.assertEqual(status, 200, record)
        return record

    def accept_alert(self, timeout=5):
        WebDriverWait(self.driver, timeout).until(lambda d: d.switch_to.alert, message="waiting for a confirmation")
        self.driver.switch_to.alert.accept()


def create_workflow(env, document):
    status, record = env.api("POST", "workflows", json.dumps(document))
    assert status == 201, record
    return record
