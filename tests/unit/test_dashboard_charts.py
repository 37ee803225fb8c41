"""Chart geometry and form conversion of the dashboard, without a database."""
import colander

from exaroutes.dashboard.charts import breakdown_chart, daily_chart, nice_ceiling
from exaroutes.dashboard.forms import convert, data_fields, form_body, style_fields
from exaroutes.datatypes.url import UrlType


def test_nice_ceiling_rounds_up_to_1_2_5():
    assert [nice_ceiling(v) for v in (0, 1, 2, 3, 7, 11, 20, 21, 480, 501)] == [1, 1, 2, 5, 10, 20, 20, 50, 500, 1000]


def test_daily_bars_are_proportional_and_sit_on_the_baseline():
    chart = daily_chart([{"date": "2026-05-01", "scans": 0}, {"date": "2026-05-02", "scans": 5},
                         {"date": "2026-05-03", "scans": 10}])
    heights = [bar["height"] for bar in chart["bars"]]
    assert heights[0] == 0 and abs(heights[2] - 2 * heights[1]) < 0.02
    assert all(abs(bar["y"] + bar["height"] - chart["baseline"]) < 0.02 for bar in chart["bars"])
    assert [tick["value"] for tick in chart["ticks"]] == [0, 5, 10]
    xs = [bar["x"] for bar in chart["bars"]]
    assert xs == sorted(xs) and xs[-1] + chart["bars"][-1]["width"] <= chart["right"]


def test_an_empty_window_draws_flat_bars():
    chart = daily_chart([{"date": "2026-05-01", "scans": 0}] * 7)
    assert {bar["height"] for bar in chart["bars"]} == {0}
    assert [tick["value"] for tick in chart["ticks"]] == [0, 1]


def test_breakdown_keeps_the_largest_entries_in_order():
    rows = breakdown_chart([{"country": c, "scans": n} for c, n in (("DE", 8), ("US", 4), ("FR", 2))], "country",
                           limit=2)
    assert [(row["label"], row["percent"]) for row in rows] == [("DE", 100.0), ("US", 50.0)]


def test_form_fields_follow_the_schemas():
    assert [field.name for field in data_fields(UrlType())] == ["data"]

    class Geo:
        name = "geo"
        schema = colander.SchemaNode(colander.Mapping(), colander.SchemaNode(colander.Float(), name="latitude"),
                                     name="data")

    fields = data_fields(Geo())
    assert [(field.name, field.kind) for field in fields] == [("data.latitude", "number")]
    body, errors = form_body({"data.latitude": "52.5", "size": "256"}, fields + style_fields(), {"dataType": "geo"})
    assert body == {"dataType": "geo", "data": {"latitude": 52.5}, "size": 256} and errors == {}
    size = next(field for field in style_fields() if field.name == "size")
    assert convert(size, "12.5") == (12.5, None)           # the schema, not the form, rejects a float
    assert convert(size, "x") == (None, "must be a number")
