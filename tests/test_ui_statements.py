"""Page statements are shared only between viewers whose rights conditions are the very same."""
from __future__ import annotations

import sqlalchemy as sa

from core.ui.statements import _rights_key

_T = sa.Table("fc_t", sa.MetaData(), sa.Column("id", sa.Integer), sa.Column("owner_id", sa.Integer),
              sa.Column("shared", sa.Boolean))


def test_conditions_key_by_shape_and_values():
    assert _rights_key([]) == ()
    own = _rights_key([_T.c.owner_id == 3])
    assert own == _rights_key([_T.c.owner_id == 3])  # built again for the same user: the same key
    assert own != _rights_key([_T.c.owner_id == 4])  # another user's id
    assert own != _rights_key([sa.or_(_T.c.owner_id == 3, _T.c.shared.is_(True))])  # another shape
    assert _rights_key([_T.c.owner_id.in_([1, 2])]) != _rights_key([_T.c.owner_id.in_([1, 5])])
    assert _rights_key([sa.false()]) == _rights_key([sa.false()]) != _rights_key([sa.true()])
