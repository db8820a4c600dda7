"""``core.plugins.hook_caller``: the records service's plain hook caller must call what pluggy calls, as pluggy does."""
import pluggy
import pytest

from core.plugins import hook_caller

spec = pluggy.HookspecMarker("flowcase")
impl = pluggy.HookimplMarker("flowcase")


class Specs:
    @spec
    def on_event(self, event, extra):
        """Several implementations, results collected."""

    @spec(firstresult=True)
    def first(self, event):
        """The first non-None result."""


def manager(*plugins):
    pm = pluggy.PluginManager("flowcase")
    pm.add_hookspecs(Specs)
    for number, plugin in enumerate(plugins):
        pm.register(plugin, name=f"p{number}")
    return pm


class Calls:
    def __init__(self, tag, result=None, fail=False):
        self.tag, self.result, self.fail = tag, result, fail

    def on_event(self, event):
        event.append(self.tag)
        if self.fail:
            raise ValueError(self.tag)
        return self.result


def plugin(tag, result=None, fail=False, tryfirst=False, both=False):
    calls = Calls(tag, result, fail)

    class Plugin:
        if both:
            @impl(tryfirst=tryfirst)
            def on_event(self, event, extra):
                event.append(extra)
                return calls.on_event(event)
        else:
            @impl(tryfirst=tryfirst)
            def on_event(self, event):
                return calls.on_event(event)
    return Plugin()


def test_same_order_arguments_and_results_as_pluggy():
    pm = manager(plugin("a", 1), plugin("b"), plugin("c", 3, tryfirst=True), plugin("d", 4, both=True))
    fast, seen_fast = hook_caller(pm, "on_event"), []
    assert fast is not pm.hook.on_event  # the plain caller is used
    seen_pluggy = []
    assert fast(event=seen_fast, extra="x") == pm.hook.on_event(event=seen_pluggy, extra="x") == [3, 4, 1]
    assert seen_fast == seen_pluggy == ["c", "x", "d", "b", "a"]


def test_an_exception_stops_the_call_as_in_pluggy():
    pm = manager(plugin("a"), plugin("b", fail=True), plugin("c"))
    seen = []
    with pytest.raises(ValueError, match="b"):
        hook_caller(pm, "on_event")(event=seen, extra=None)
    assert seen == ["c", "b"]


def test_a_plugin_registered_or_removed_later_is_seen_at_once():
    pm = manager(plugin("a", 1))
    assert hook_caller(pm, "on_event")(event=[], extra=None) == [1]
    pm.register(plugin("b", 2), name="late")
    assert hook_caller(pm, "on_event")(event=[], extra=None) == [2, 1]
    pm.unregister(name="late")
    assert hook_caller(pm, "on_event")(event=[], extra=None) == [1]


def test_pluggy_is_left_to_what_it_alone_does():
    pm = manager(plugin("a", 1))
    assert hook_caller(pm, "first") is pm.hook.first  # first-result hooks

    class Wrapper:
        @impl(wrapper=True)
        def on_event(self, event):
            event.append("before")
            return (yield)
    pm.register(Wrapper(), name="wrapper")
    assert hook_caller(pm, "on_event") is pm.hook.on_event
    pm.unregister(name="wrapper")
    assert hook_caller(pm, "on_event") is not pm.hook.on_event

    undo = pm.add_hookcall_monitoring(lambda *args: None, lambda *args: None)  # tracing wraps every call
    assert hook_caller(pm, "on_event") is pm.hook.on_event
    undo()
    assert hook_caller(pm, "on_event") is not pm.hook.on_event


def test_a_missing_argument_goes_to_pluggy_which_warns():
    pm = manager(plugin("a", 1))
    with pytest.warns(UserWarning, match="extra"):
        assert hook_caller(pm, "on_event")(event=[]) == [1]
