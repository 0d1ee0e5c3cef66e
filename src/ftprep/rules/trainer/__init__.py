"""Rules of this group; one module per rule. They check what the trainer will train on
(``--tokenizer``) and stay idle without a tokenizer."""
