"""The .xlsx rows read with calamine are exactly the rows openpyxl's reading gives; doubtful files go to openpyxl."""
from datetime import date, datetime, time, timedelta

from openpyxl import Workbook

from core.dataio.import_read import Table, check_table, open_table


def _book(tmp_path, rows, name="book.xlsx", tweak=None):
    book = Workbook()
    sheet = book.active
    sheet.title = "Контакты"
    for row in rows:
        sheet.append(row)
    if tweak:
        tweak(sheet)
    path = tmp_path / name
    book.save(path)
    return path


def _both(path):
    """(rows read the way open_table chose, the same rows read by openpyxl, the reader chosen)."""
    table = open_table(path)
    chosen = list(table.rows())
    plain = Table(path, "xlsx", table.headers, sheet=table.sheet, sheets=table.sheets)
    return chosen, list(plain.rows()), table.reader


def _mixed_rows(count=300):
    rows = [["Фамилия", "Имя", "Счёт", "Сумма", "Дата", "Момент", "Пусто", "Флаг"]]
    for i in range(count):
        rows.append([f"Иванов {i}", f"  Name {i} " if i % 7 else None, i * 1000 + 7, i / 8 + 0.1,
                     date(2020, 1, 1) + timedelta(days=i), datetime(2021, 5, 6, 7, 8, 9) + timedelta(hours=i),
                     None, bool(i % 2)])
        if i % 50 == 0:
            rows.append([None] * 8)  # a blank row between
    rows.append([None, None, 12345.0, -0.5, None, None, None, None])
    return rows


def test_calamine_reads_the_same_values_as_openpyxl(tmp_path):
    path = _book(tmp_path, _mixed_rows())
    chosen, plain, reader = _both(path)
    assert reader == "calamine"
    assert chosen == plain
    assert len(chosen) == 301
    first = chosen[0][1]
    assert first[:4] == ["Иванов 0", None, 7, 0.1] and type(first[2]) is int
    assert type(first[4]) is datetime and first[4] == datetime(2020, 1, 1)
    assert chosen[-1][1][2] == 12345 and type(chosen[-1][1][2]) is int
    assert [number for number, _ in chosen][:3] == [2, 4, 5]  # file row numbers, the blank row 3 left out


def test_header_and_rows_starting_off_the_corner(tmp_path):
    def shift(sheet):
        sheet.insert_cols(1, 2)

    path = _book(tmp_path, _mixed_rows(20), tweak=shift)
    chosen, plain, reader = _both(path)
    assert reader == "calamine"
    assert open_table(path).headers[:3] == ["", " (2)", "Фамилия"]
    assert chosen == plain


def test_a_value_calamine_may_read_otherwise_goes_on_with_openpyxl(tmp_path):
    rows = _mixed_rows(40)
    rows[30][5] = time(12, 30)  # a time, and later a number beyond 2**53 and a date of 1900
    rows[35][2] = 2 ** 60 + 1
    rows[36][4] = date(1900, 2, 1)
    path = _book(tmp_path, rows)
    chosen, plain, reader = _both(path)
    assert reader == "calamine"
    assert chosen == plain
    assert time(12, 30) in chosen[28][1] and date(1900, 2, 1) not in chosen[34][1]


def test_formulas_merged_cells_and_empty_text_are_read_by_openpyxl(tmp_path):
    def formula(sheet):
        sheet["C3"] = "=C2*2"

    def merged(sheet):
        sheet.merge_cells("A5:B5")

    for tweak in (formula, merged):
        path = _book(tmp_path, _mixed_rows(10), name=f"{tweak.__name__}.xlsx", tweak=tweak)
        table = None
        try:
            table = open_table(path)
        except Exception:  # merged cells: openpyxl's own message
            assert tweak is merged
            continue
        assert table.reader == "openpyxl", tweak.__name__
        if tweak is formula:
            try:
                check_table(table, 1000, 1000)
            except Exception as problem:  # noqa: BLE001
                assert "C3" in str(problem)
            else:
                raise AssertionError("the formula was not reported")
