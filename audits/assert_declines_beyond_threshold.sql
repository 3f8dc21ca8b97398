AUDIT (
  name assert_declines_beyond_threshold,
  blocking TRUE
);

/* Every alert's spend decline lies between -100 % and the decline threshold (config variable
   spend_decline_threshold_pct, spec 3.6), inclusive. The threshold is read here rather than
   passed as assert_in_range(max_value := @spend_decline_threshold_pct): SQLMesh renders that,
   but a macro in a model's audit arguments is turned back into SQL when the snapshot is
   saved, which fails ("Unsupported expression type MacroVar") in any process where sqlglot
   generated SQL before sqlmesh was imported (sqlglot 30 caches each generator's dispatch
   table on first use; sqlmesh 0.236 registers its macro nodes after that). */
SELECT
  customer_id,
  spend_decline_pct
FROM @this_model
WHERE
  spend_decline_pct < -100 OR spend_decline_pct > @spend_decline_threshold_pct