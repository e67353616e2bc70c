APPLY = """relationship_kind = "{kind}"
partner_name_zh = "{zh}"
partner_name_foreign = "{foreign}"
partner_country = "{country}"
partner_level = "{level}"
partner_profile = "{zh}位于{country}，人口约 30 万，以农业和旅游业为主。"
diplomatic_relations = {rel}
partner_twinned_in_china = {twinned}
partner_twinned_with = "{twinned_with}"
exchanges_since = "{since}"
exchange_record = "2023 年起互派经贸、教育代表团各 2 次，开展中学生交流项目。"
intent_letter_date = "2025-09-15"
consent_proof = "对方市长 2025 年 9 月 15 日签署的结好意向书"
cpaffc_consulted = {cpaffc}
"""
