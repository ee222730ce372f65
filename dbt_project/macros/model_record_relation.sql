{#- The relation intermediate.<this model>__<suffix>: the records an incremental model keeps of
    its builds (incremental_by_article, _by_day, _by_pair name theirs with it). -#}
{% macro model_record_relation(suffix) %}
{{- return(api.Relation.create(
    database=this.database, schema='intermediate', identifier=this.identifier ~ '__' ~ suffix
)) -}}
{% endmacro %}
