"""四性检测 (DA/T 70-2018): the check catalogue as data, the runners and the reports."""
